from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "media_blob" (
    "sha256" VARCHAR(64) NOT NULL PRIMARY KEY,
    "size" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
        CREATE TABLE IF NOT EXISTS "upload" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "sha256" VARCHAR(64) NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "size" BIGINT NOT NULL,
    "declared_type" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(255),
    "kind" VARCHAR(16),
    "status" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(1000),
    "width" INT,
    "height" INT,
    "pages" INT,
    "duration_seconds" DOUBLE PRECISION,
    "duration_status" VARCHAR(8),
    "has_thumbnail" BOOL NOT NULL,
    "attempts" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "processed_at" TIMESTAMPTZ,
    "blob_id" VARCHAR(64) REFERENCES "media_blob" ("sha256") ON DELETE RESTRICT,
    "owner_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_upload_status_92894f" ON "upload" ("status");
CREATE INDEX IF NOT EXISTS "idx_upload_owner_i_c48594" ON "upload" ("owner_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_upload_blob_id_86ac3c" ON "upload" ("blob_id", "status");
COMMENT ON COLUMN "upload"."status" IS 'PROCESSING: processing\nREADY: ready\nREJECTED: rejected\nFAILED: failed';
        ALTER TABLE "course" ADD "cover_id" INT;
        ALTER TABLE "course" ADD CONSTRAINT "fk_course_upload_f59b1188" FOREIGN KEY ("cover_id") REFERENCES "upload" ("id") ON DELETE RESTRICT;
        ALTER TABLE "lesson" ADD CONSTRAINT "fk_lesson_upload_f1a2abde" FOREIGN KEY ("asset_id") REFERENCES "upload" ("id") ON DELETE RESTRICT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "lesson" DROP CONSTRAINT IF EXISTS "fk_lesson_upload_f1a2abde";
        ALTER TABLE "course" DROP CONSTRAINT IF EXISTS "fk_course_upload_f59b1188";
        ALTER TABLE "course" DROP COLUMN "cover_id";
        DROP TABLE IF EXISTS "media_blob";
        DROP TABLE IF EXISTS "upload";"""


MODELS_STATE = (
    "eJztXW1z2joW/isef2pnsp2UhDSX3dkZAk7LvQQyhHTv3qbjCluANkbm2nLS7N3+95VkG7"
    "8bm4ABV58SJB1bfiQdn5dH8l/ywtShYb9rL9HYfIRYbkl/yRgsIP0nUXciyWC5DGpYAQET"
    "gzcGS6SSVbOJTSygEVoxBYYNaZEObc1CS4JMdhPsGAYrNDXaEOFZUORg9KcD6aVmkMyhRS"
    "u+fKXFCOvwO7T9n8tHdYqgoUf6i3R2b16ukpclL+thcs0bsrtNVM00nAUOGi9fyNzEq9YI"
    "E1Y6gxhagEB2eWI5rPusd96j+k/k9jRo4nYxJKPDKXAMEnrciRqUyao6GI7VO2WsqnIJgD"
    "QTM3BpV23+9DPWhb813p9/OL88uzi/pE14N1clH364tw6AcQU5PIOx/IPXAwLcFhzjAFT+"
    "NwFrZw6sdFz99jFkaZfjyPo45kHrFwTYBvOpCnAX4LtqQDwjc/rz/elpDpSf26POp/boDW"
    "31lt3SpAvAXRoDr6rh1jG8A3z5mlHnwJ6XQTkqtR2s9zuNI0hfnBcA+uI8E2dWFYV5acEp"
    "+l4G4kCijlP5oshMvsieyBdxgDULMjBUQJIgd2kNQQuYDnRUMga27om+8/85RujpA+pDbL"
    "x4ayoH+nHvRrkbt29u2e0Wtv2nwfFrjxVW0+ClL7HSN/FhWl1E+ldv/EliP6U/hgOFw2va"
    "ZGbxOwbtxn/IrE/AIaaKzWcV6KHl75f6qEVG3QA2UR17o3GPy25h5L0uH8rAH8lA+5jkjr"
    "QFn+g7Z5NxjkqKUT7kUabL0VJL2dEhifXG9DEo6y3Y08xDmT6mmtMMriS616YF0Qz/Bl84"
    "yD3aI4C1NDva88nuvcscGbg//Nnjlwar2QLPK5cuPKnos9MnhsS11tp3nXZXkTnCE6A9Pg"
    "NLVyNQsxqzYcZKVm2TVYvGIl4CMJhxcNhTsD6HUU/xkP3RyPaO/WEXjvFRLeSTHMcYLgAy"
    "yjgUK4HauWuNZhF/jbbK9Cd4XcxjA7b9bNIlW9Y3TgjW0H9rNJuFEG/mIN6MIz6lN1bLxn"
    "siQjVEeidBnwkykxiP4fcMlew1rw5dWd6Draz8Po6YyT6Cb27av7+NmMr94eCj3zyEeKc/"
    "vIoBDZ6o+rZUxyqlqaNSG8F+YD5KTHucnl8WUR+0Wbb+4JVRtC3TyNAdCnYWCdM26iV6sr"
    "ua5Im3I720o0PXrikBuXw3vu8qg3FL8uQfcG9wNx7dd8bDUUtCDHZHI6b1gNvdm96gJQF9"
    "gXhWZP9BOmSr1PhETymjdGXSAQA4wyYMy8VGaEIFd6WH/EGrVhNdDYf9iCa66sVVzf3NlU"
    "Kx59DTRsh1T3yjMaR/HDJX4dLUUiyYTAs8KlSdV3160Ja4CDX/3KFmZ6lvOOpRSTHqhzLq"
    "KRFJr/exBINhzhDeNMMQFhbB58MZaneFJ0Kl2ZG90FvV55rYKXaMJ3v92wgagMOZHPgUZs"
    "uRLfmsSGpMZRom0F8J0j2/SF0h0kzHsuErIerwi9QVIoipb2YsIJN5FUzK6kJ1gmqXCYcr"
    "w5zIKQkHXn6Sl3BYQB0BdeK320vawZ6DRvOiTOAlkKhdjHxblKbshISN/pvm16NZpqPpS9"
    "QpcftLo3F29qFxenZx2Tz/8KF5ebpyN5NVeX7nVe8jcz0jwyF80fp7JVm+6EaWarUW2GH6"
    "JtW+Mj2w0rL0Kxhz8vRBm12+Mr/I5jN2GQEhNUAbfZH9V7ZNAHFs+atI6leZ1N+/ybJvpb"
    "1jHvYU0YuXTTGHZGoI8k5y+cIY3IMxqEPNABb08C4xwxOCNUj1VzDJ6R0JxKQ03HG5Gmb4"
    "dwH3I320MjD77esH7/Yz8565l4ruevJEIF0dfWJpmRq0bQZaOczl29Gwo9zd9QYfW1JwlQ"
    "c8Utrdf7ck5ja+sF+/Kp2x0mUF/4Ea7fwDvm73+qxkCqhJ4E64vY8c7a7tem9F10UgUcOV"
    "cVqUL5dLmEsw5p6RTspwKFbtNzJnDg3iLRMo5hDN5ikBq0w0AwEBZxLOJZilZZAy0Vy1F2"
    "Cm2NCOxcNhqg3pndJCZ9eGCTKQTROOgTxl0scHcw6G3eH9VV+RbkdKp3fXGw6i0VJeyQNK"
    "K5oafc/2M1HPsUPWYf46I+TAAI++1orQZbO5sgmi7BzYKpk7iwlO3UOSy8VMyFbIx1yVHC"
    "8hkxC4WKZlsrPpmCERQcYUCbCfNQEmyJh1HvUiZEzPWd9o3OOygop5OAOdXN8sC5l6DkC2"
    "HRgSqZ/9t/1EGE8AlztqISxSpyzNrs5aWOXYY/6jOGwhcthCeFpFTlsYUTUy6nXGckI1bA"
    "FUn8J4XFqhKKYhZZgBaRH2kGY+QasqbvKRIB3dHUItCvO1uwD6/CI1QmiX9CpvOqXQq4KJ"
    "lk2v0oI2u6VXhWJRzsRA9jzEsArVWUiDqsaZ7bGqgPROAXZwQpQgQh8pVqjRuTMzrRe3PN"
    "gKzIMSgs+1Bz6XO0wlrNiVQB2JRoVSc42czFwjmZizDWdWBmC/fe0I/o3zQuie56B7nkTX"
    "mZSewmGZ2vGIzgrN4bOcOXyWnMPhniWAzj6WJSZWA6yrPp4l1E2VUJw3RH8lK4ag9BCsbJ"
    "YSGiYsUx3hyL2mUY2eaRZRM81sLdNMHvQNZimOyq93w0GGJeK1jwdKkUak/0nUpt1ZxEf+"
    "x9TBGsNPmjjIINSQfcfu9889zHmGT/6cj0/vk2g0lF0gPucN+AQzDoRaz7VbCVc384FRdt"
    "bLV8rH3mCgjFrSBM4Qpn1i5xSNldGN0u21xwo7qYhAi28TJZCdVfS5Pegwbh3Qn9hz67Ss"
    "36c/vXvvnWdnADxzqFNaRlGFZaobLvdAgaMjJYS94QTG2WSmqNSu4tIJlI8mP+5YFsRauf"
    "drSKZCk+b+rluREV/EhM824BPmu89AWiDskFJUvDRRMYWPnpuuW2Ba+mC/7qh9PW5JXPYB"
    "395f9Xt3n9gbcRVCpK9EOgd7n/lr0tLm6OlQSOg8U6CiBX3XlT3sMkW0fvnbXZ146SYgvB"
    "BxcbUTFxO0srjOScTfi4ObJip0uqDt1ZzAJWh7P+OoF6LthVOgJcc9LlsJba/KJM7xjnNy"
    "eXumXJlEclhEbEdKvieDJH45XBNygrC3nrAXZUwI1l4ewywxwQpQ9/hi3wa0NTuQKo5tWC"
    "m+gr5HwEy1zOetEPjGYFajybxHEt9RQiSOYM2FaveER7b8MjmP3tpcR3tUidduHfVRHmIo"
    "UcUhLaElvXGFTyQq/bYlPc8BkcgcSt++0YJv36QpMght5tjQPpGeEZlLAEt8gN7FQ5PbvG"
    "4KCfNLiN7JHvVrjJUpmI+VMh9BKVqe17yyEH1lkd9CrLwcUl6Sk+et5pJuVkhGuALrXYFA"
    "lbzSVq3d2exJYzU0tQ7pa6meSZby2gyMtex3phG02e1WgWCmLU0b8UsKkr4g6deKpC8Izv"
    "ti1649oXI9gWIrp1VuNgw+r7oMjYIBQ/UTlXzAn3tdZdiSnpAOzQd83esrLeZYwLhnsge2"
    "28TUUzhZOd9g9dqLRVB6EfDhL0tLiQgJQkpRQsrKhilupoRFhGuSdyTdYfMLj5fsg2x1ac"
    "EnBJ9ToptrvksbEhQHoZU4CE0QgLKn93FSQQQB6Gcc9SIEIGDbkJQLWIZFBC8kRX2KILAI"
    "Ah9VEDihELaAa92JIGEt+AoiyNIymTbfCsXhNnStmkzmnebvQ4yHlExElA+RnY2A0XaFMv"
    "hLN31uSQDrkp9th3hqWhrUpckLT7ezoPgE2PDvksaWmmFQAKVHCJc2r7bM5/Q0/jYvnprL"
    "dzz6nKeD48n8cN5EHG20j6zJ8e3KoysGPfldKRxPbnfGvc9KS3KlH3BneHPbV/iHYTRzsW"
    "QaWaelbPd6n38cxpvrh7I1z6brRNs4+B9IVxh4nlqw9DBdjxQW3KeSD/i23WPbJgFiOya7"
    "N70BO1VggfABhP39V7FKFagGS+0rSxMVsbz0jXsbhRhioiLGcCgxhiKRpZUu3iSiGJMVZ4"
    "MfTjBJxBDrv76LxBBFwGsXb0vmZZXDNCQhEF0fQvTdWLGZLC/OFZpU64OHIipbCTU3cciI"
    "iCLuL4oYQy2T0xzGdR23OTKgxUOKQSiSx/7ca2XH/rLDh5tcKDVUGA2OesRtsftnn8HBlU"
    "eVoizyCDUROcGnKcOnEf7vT+L/+nzJ7C/UrqVa5nyfVoQQZQPYhCIE8QZLKS4rggwHvLZy"
    "9rmXc4oTcsI1TltXrtlZCtmIjEB1fcAhagy/0kOu5XENJzEvObF414cggs2hrwS4dseGxM"
    "GNrN9D2h3chhbS5nKKJ+3VnOR50CBos8vdwcJprdJpZR87TN26lLNLLBCp417gZrPIHrFm"
    "M3uLGKuLWgFsUZVA2GteQ3TfF9pp/T5np/X75E5rb7NuEuHsD72ERKr/1st+fP6tfdUlYY"
    "hV+TL78X+Xct6y"
)
