from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "course" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "slug" VARCHAR(240) NOT NULL UNIQUE,
    "subtitle" VARCHAR(300) NOT NULL,
    "description" TEXT NOT NULL,
    "category" VARCHAR(50) NOT NULL,
    "tags" JSON NOT NULL,
    "level" VARCHAR(16) NOT NULL /* BEGINNER: beginner\nINTERMEDIATE: intermediate\nADVANCED: advanced\nALL: all */,
    "language" VARCHAR(8) NOT NULL,
    "price_cents" INT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "duration_minutes" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* DRAFT: draft\nPUBLISHED: published\nARCHIVED: archived */,
    "cover_image_url" VARCHAR(2048),
    "lesson_count" INT NOT NULL,
    "enrollment_count" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "published_at" TIMESTAMP,
    "instructor_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_course_categor_f5251a" ON "course" ("category");
CREATE INDEX IF NOT EXISTS "idx_course_level_f4db39" ON "course" ("level");
CREATE INDEX IF NOT EXISTS "idx_course_languag_cf8ca8" ON "course" ("language");
CREATE INDEX IF NOT EXISTS "idx_course_price_c_2ab601" ON "course" ("price_cents");
CREATE INDEX IF NOT EXISTS "idx_course_duratio_131116" ON "course" ("duration_minutes");
CREATE INDEX IF NOT EXISTS "idx_course_status_c6f61e" ON "course" ("status");
CREATE INDEX IF NOT EXISTS "idx_course_enrollm_708a1a" ON "course" ("enrollment_count");
CREATE INDEX IF NOT EXISTS "idx_course_publish_f60d39" ON "course" ("published_at");
CREATE INDEX IF NOT EXISTS "idx_course_status_fbaa9a" ON "course" ("status", "published_at");
CREATE INDEX IF NOT EXISTS "idx_course_status_327b67" ON "course" ("status", "price_cents");
CREATE INDEX IF NOT EXISTS "idx_course_status_01a792" ON "course" ("status", "enrollment_count");
CREATE INDEX IF NOT EXISTS "idx_course_status_8b5fe8" ON "course" ("status", "title");
CREATE INDEX IF NOT EXISTS "idx_course_status_68eeea" ON "course" ("status", "category");
CREATE INDEX IF NOT EXISTS "idx_course_instruc_119bb2" ON "course" ("instructor_id", "status");
        CREATE TABLE IF NOT EXISTS "course_tag" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "tag" VARCHAR(40) NOT NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_course_tag_course__5cf05c" UNIQUE ("course_id", "tag")
) /* One row per (course, tag): what the ``tag`` filter uses, with an index. */;
CREATE INDEX IF NOT EXISTS "idx_course_tag_tag_b21db3" ON "course_tag" ("tag");
        CREATE TABLE IF NOT EXISTS "lesson" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "description" TEXT NOT NULL,
    "content_type" VARCHAR(8) NOT NULL /* TEXT: text\nVIDEO: video\nFILE: file */,
    "body" TEXT NOT NULL,
    "video_url" VARCHAR(2048),
    "asset_id" INT,
    "position" INT NOT NULL,
    "duration_minutes" INT NOT NULL,
    "is_preview" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_lesson_course__2bf6a1" ON "lesson" ("course_id", "position");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "course_tag";
        DROP TABLE IF EXISTS "course";
        DROP TABLE IF EXISTS "lesson";"""


MODELS_STATE = (
    "eJztXf9v2jgU/1ciftqkXtVR6E3odBIFunGjMEHam7ZOqUkMWA0OSxxotev/fraTkO8hYR"
    "Agy08r9nu283nP9vuW7GdlrilQNc6bCyRqTxBXGsLPCgZzSP8I9Z0JFbBYuD2sgYCxyonB"
    "AklkTTY2iA5kQjsmQDUgbVKgIetoQZDGJsGmqrJGTaaECE/dJhOjHyakQ00hmUGddnz7Tp"
    "sRVuAzNJyfiydpgqCq+NaLFDY3b5fIy4K3dTG54YRstrEka6o5xy7x4oXMNLymRpiw1inE"
    "UAcEsuGJbrLls9XZj+o8kbVSl8RaoodHgRNgqsTzuGPJbatIUn8gSqOOKEmVDADJGmbg0q"
    "Ua/OmnbAl/VN/V/qy9v7yqvackfJnrlj9fraldYCxGDk9frLzyfkCARcExdkHl/4Zgbc2A"
    "Ho2rQx9Ali45iKyDYxK0ToOLratPeYA7B8+SCvGUzOjPdxcXCVDeN4etj83hG0r1lk2p0Q"
    "1gbY2+3VW1+hjeLr58z0gzYMyyoOzn2g3Wh1VjH9JXtRRAX9VicWZdfpgXOpyg5ywQuxxF"
    "VOWrNJp8Fa/IV0GAZR0yMCRAwiC3aQ9BcxgNtJ8zALZis547f5wi9PQBlQFWX+w9lQC92L"
    "3tjMTm7Wc23dwwfqgcv6bYYT1V3voSaH0TFNN6EOHfrvhRYD+Fr4N+h8OrGWSq8xldOvFr"
    "ha0JmESTsLaSgOLZ/k6rg5pP6iowiGQaW8k9yLsDydtLPhbBn4igHUwSJa3DJb1ztpGzn7"
    "OU8jFLmW5HXcpkR3s4NhvTp3BY78CeZh7K5CnSnGZwhdG90XSIpvgTfOEgd+mKAJaj7Gjb"
    "J7uzhzkxcF8d7XFa3d2sg9XapfMqFX12+sSQWNZac9RqtjsVjvAYyE8roCuSD2rWo1W1QM"
    "uaNtw1r86DLQCDKQeHPQVbsxf1CA/ZkUa8d+yIvXSMT2ojnyU4xnAOkJrFoVgzFM5dq9bT"
    "+GuUKtaf4H0Bjw0YxkqjWzarbxxiLKD/Vq3XUyFeT0C8HkR8QieWssZ7fEwFRHovQZ8x0s"
    "IYi/A55ki2yfNDt1I5gK3c+SL6zGQHwTe3zS9vfaZyb9D/4JB7EG/1BtcBoMGSHt+6ZOqZ"
    "Tmo/11awH5mPEjg9Lmrv0xwflCz+/OCdfrR1TY05OzrYnIdMW7+XaPPuS8lDtyMd2lSgZd"
    "dkgLwyEu/anb7YEGz+B9ztj8ThXUscDBsCYrCbMtH0B9xs33b7DQEoc8SzIocP0iFDosYn"
    "WkZI6VqjAgA4xib08gUkNKaM+zqHHKHlexJdDwY930l03Q0eNXe31x2KPYeeEiHLPXGMRs"
    "/5Y5KZBBeaHGHBxFrgfqb8vOqLo7bEy1Dz7x1qNhfKllL3c5ZSPxapR0Qk7dUHEgyqNkV4"
    "2wyDl7kMPh+PqK0dHgqVxkf2PLeqU2tiRNgxNu/NpyFUAYczLPiIypYT2/JxkVT/RamZug"
    "F/EaQWH6RIEO0zRGyjFREkdnGMDxPLLs0+A8XfqO8DiMnnXphjFRkz63qkdL4+HclQkiED"
    "NNAFMXXY1DntogCbOMRKEKGPFGiUqfJMNf3FanddJW5FW1TfyyB2nkFsS0whXBMKjxyGAo"
    "b6qqlCfdWEUF81HOozVHOaBWCHvnhJgloqdGsJ6NbC6JrjzCrs5SlASNWP8mUqHb5M0OHL"
    "sA57VxYCOj5sHWArANZ5h6/XF2YG9fby5BdMtcZU81Hyehodr8ereD1chQumEWbyP6NBP+"
    "YatOmDDiWSifCfQA2qvQXpKn9NTCwz/ISxiVRCrahzNt/fB9B5hk+yzgfV+8zvNbIBgjqv"
    "wiWMydZsziKsmfPTfKBm1frKdedDt9/vDBvCGE4RpmtiSQSxM7zttLvUE2dpBAL1OVQQXS"
    "xLJNw3+61Om+USluy5FdrW69Gf9twHTyyoAE9N6hFlOai8PPmJy/L2939GpUmwxWfXQqk1"
    "rysWwjjWDQpw7SuVEEL5ZDIJpq5DLGe7Xz08OZo0d6N2ThZkGvsx3noM2Y6mzgNM0hxhk0"
    "QFo2K1N4q1VOGgB7SOrmxzX3piPbmdwIoOJpmz7u1h80ZsCJz3AX++u+51Rx/ZjbiOX9Er"
    "kepg955fk7o8Q0uoHMflKGtLVs46p3dd1kqUCNayHCVtOYoKDYMiZcUn0x87QbYyAR88c0"
    "LB3/TgRrGWZ3pZ4FDwVHdZ4PA7Sj1NgYMv/5ZR7kHeXMob8swgnK6cw9vbTXdme8EuxFe+"
    "Zrf5NTt/brl82S7pZbuQgvleuRtSxR92W2LSO3e+OLqka6udlJyIYFog1CM8k19EqccHKR"
    "JE+y/MYToVW5tjK9ym8hyJ2HSbSnQqAwwFuhuEBdSFNxbzmUC53zaE1QwQgcyg8PhIGx4f"
    "hQlSCSUzDWicCStEZgLAAhfQeTCKsctxI4qFvnnKkNijfi9fMz1khQ7IVD5ik+cWzcstSJ"
    "SqeiSheCRcO2Lv5kxa6+MpDbHNhph7lPyiEVa4MtSgGeZTrWP66oFtZ0Rcm64FEn9nqi7N"
    "fktaXU2jnhviQ5bFpGUxaaGKSctCvEMV4mmYsJwFxyxSwzfnWoNj5CgGQlUja8aVAUPPJ8"
    "r5gO+77c6gISyRArUHfNPtdRrMsYDb5Fd3XBgz1pSI8o2EbynY9OUmyLwJuPizZrB9TGXu"
    "Om3uGhgGJNl8Ey/LVq7JsQG946zq2ixMD6mXpfT2IjA9kequ0y21QIa00OESwVVEsHjDJz"
    "s8jDl+s2PdcrIf7SjLL+LV+zQT8WX5xe8o9TTlF2UQeFe3VhkELnIQuAl1JM8qEUFgu+cs"
    "8T+HcWnKD+Ce0qY+Swj3LqFuRLpTCcEAl6WIId99fJSVbaoMCNvkBUR3Lx9itWOyYYTjX/"
    "31sOT/9u9hai139p5vyEbI8zJ7/R94V84o"
)
