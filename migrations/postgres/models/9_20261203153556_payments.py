from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "payment_webhook" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "provider" VARCHAR(16) NOT NULL,
    "event_id" VARCHAR(255) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_payment_web_provide_8f3e63" UNIQUE ("provider", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_payment_web_receive_a79e4b" ON "payment_webhook" ("received_at");
COMMENT ON TABLE "payment_webhook" IS 'A provider event applied once: its id is unique per provider.';
        CREATE TABLE IF NOT EXISTS "coupon" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "code" VARCHAR(64) NOT NULL,
    "code_key" VARCHAR(64) NOT NULL,
    "percent_off" INT,
    "amount_off_minor" BIGINT,
    "currency" VARCHAR(3) NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "max_redemptions" INT,
    "redeemed" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_coupon_course__7f251e" UNIQUE ("course_id", "code_key")
);
COMMENT ON TABLE "coupon" IS 'A discount code of one course; ``code_key`` (the code casefolded) is unique per course.';
        CREATE TABLE IF NOT EXISTS "order" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "list_price_minor" BIGINT NOT NULL,
    "discount_minor" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "coupon_code" VARCHAR(64),
    "provider" VARCHAR(16) NOT NULL,
    "provider_session_id" VARCHAR(255) UNIQUE,
    "provider_payment_id" VARCHAR(255),
    "checkout_url" VARCHAR(2048),
    "expires_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "paid_at" TIMESTAMPTZ,
    "failed_at" TIMESTAMPTZ,
    "refunded_at" TIMESTAMPTZ,
    "refund_reason" VARCHAR(500),
    "provider_refund_id" VARCHAR(255),
    "coupon_id" INT REFERENCES "coupon" ("id") ON DELETE SET NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE RESTRICT,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_order_provide_2ef172" ON "order" ("provider_payment_id");
CREATE INDEX IF NOT EXISTS "idx_order_user_id_0774cb" ON "order" ("user_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_order_course__3fa6d2" ON "order" ("course_id", "status");
-- Written by hand (the ORM cannot declare it): one pending order per user and course.
CREATE UNIQUE INDEX IF NOT EXISTS "uid_order_one_pending" ON "order" ("user_id", "course_id") WHERE "status" = 'pending';
COMMENT ON COLUMN "order"."status" IS 'PENDING: pending\nPAID: paid\nFAILED: failed\nEXPIRED: expired\nREFUNDED: refunded';
COMMENT ON TABLE "order" IS 'One purchase of one course.';
        ALTER TABLE "enrollment" ADD "order_id" INT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "enrollment" DROP COLUMN "order_id";
        DROP INDEX IF EXISTS "uid_order_one_pending";
        DROP TABLE IF EXISTS "coupon";
        DROP TABLE IF EXISTS "payment_webhook";
        DROP TABLE IF EXISTS "order";"""


MODELS_STATE = (
    "eJztXWtz2kgW/StdfEqqvCkHGzvDbG0VxjjDDAYXxpnsxlNyIzXQayFp9MDxzuS/b3fr/U"
    "TiIYTcnxJLfVvi3H7cx+mrvxpLVUKy8eEXqEgyknorpJiNNvirocAlIv9JvH8CGlDT/Lv0"
    "ggmnMhNAtImwsNuzplPD1KFIu51B2UDkkoQMUceaiVWFinSAjkgD8hcwF9AEC2gA3VLATN"
    "UBVADrsQ1edGyaSAGYtkKA9KkYjpQ6A9g0AJrNkGieAEMFkD5ZUkXyaKzM9/WQR8Xrk+CA"
    "V0hHEjBfsIjAO/IIGUHDBKoiovfAhM/IFWaXPtA3tBT8p4UEU50j8jidvOe3bw0bO53et8"
    "HEUuOPP8hfWJHQd2TQVvRP7VmYYSRLIX1hhjm7LpivGrt2hed9xbxhbSksU0FUZWup+O21"
    "V3OhKp4AtpU8RwrSoYnoE0zdoppTLFl2NO0q0/4NfhP7LQMyEppBS6b6p9L2C/jXGoIwHE"
    "2E+95EEBqxseFKBDTpXBJVhY4r8qoGA2BOX+EfPzWbZ2eXzdOzi0+t88vL1qfTT6Qte9/4"
    "rcsf9sv4aNldMcz6n/vDCX0hlQxee2jTCz+YDDShLcWU4aMfUF1YBd0F1JMVEBCJaIH8vK"
    "gWXMyz1OBe8PXgT7syFLGE3wUZKXNzQf782DrNAPlLZ9z9pTN+R1q9D0M9dG417XsUdR9l"
    "b1bEYH546F8nwxyUieBsWVj6QCWPEO0McBmyZxcMWE01zLnObjKMIoA6q7UAzTik1wQMEy"
    "9R1uh1JSPASo7oB/c/uwG41GWFLPDSSJFfnedm4D3p3/buJ53bO/q4pWH8KTP4OpMevdNk"
    "V18jV99dRMa91wn4vT/5BdA/wX9Gw15UiV67yX8a9J2gZaqCor4IUApA5F51YQwpfQaxs0"
    "NHdgtVJRuXkqxvXyii6ymR2tf88a6UO4GuRqNBSJdX/ciGMHy4veqR5YspkTTCZmCfoFv0"
    "7DmwTdALUyg+v0BdEmJ31Kaa1jZ+a9lcRq9ABc4ZfvR30l/lWG4DdT7PMOyCt3PYdbI6z2"
    "vTSeqSoGwbVic5DCuRrCVz9DN4etKsqYyNBVtWnp4ANoCBzASDbsdPeFSoXUZa0r9Vu5ep"
    "ZXwg7bFEWqm6hHQDMFkR0o5pV+7GQhpQaA0mxi5S0/JRoePNWhLBE3bHIG3AQn0hLXRAlP"
    "YK6MJoOE/13ivNOuRm4DGYgVUyUA6qjt2YJwyHAia1276O9vRpLnv6NMOePo3Z03Qcx/H9"
    "9X40TMbXbR819zBxbf8GZAGLLRtHgHMGrBSJkCHgovnutvM1CnR3MLqKjmnawVUEdLoZKc"
    "4mmxf4oAwHfwvwVVG0dH0jjyciWo7LU+6KU1+fJ2j3FVV8VHYHmndeuSK+7pHo2QUppuiK"
    "OFwdDU/UZ6Q0Erwt795JlqsFNUyMfrfZOlcrXb879h/eivPQ/Hh+ef7p7OLc8xm8K1muwn"
    "q3gP1bwI5123M7Np8dy+aMsIDGopC3EJLaDdaHHcYhpC/OcwB9cZ6KM70VhlnT0Qx/LwKx"
    "L1HHoXyRZyRHN8PAQL6IAiwSA8zcyEYJS3LbtCo2Sx7bVIaGKVjGRnqPypZim1bFQ6ySol"
    "ON06CmdbQie84meg5Lci1XWctkOuqJMeBUOzogsd6YPobFegf2dMypCwMcR/dG1RGeK7+h"
    "VwZyn7wRVMQkO9rxyR6cbo4M3B/u6HGv+rNZhy+eSxccVOS3k1+M7CRlt3Pf7Vz3Gj8O4y"
    "Uz1BM8ZFcb6d6xq3buGB/VRD7JypctIZaLOBSeQO3ctWYrj79GWqX6E+xexGODhvGikilb"
    "1DeOCdbQf2u2WrkQb2Ug3ooiPiMPForGe0JCNUR6L0GfKVbjGE/Q95Ql2WleHrqNxgFs5d"
    "7XSXbOzDOVB6PhZ7d5NJEWBhquyPKtC5ZeaKUOS20Ee8V8lMjqcXr+Kc/yQZqlrx/sZhht"
    "XZVT1o6eYi1jpm3YS3Rk9zXIY7sj6dqSHAZZAcgb95OH695w0gaO/KPSH95Pxg/dyWjcBp"
    "jCbokmZVF1rm/7wzaA0hKzrMjhg3TYECi7bJWgpUwGZUiuRBKlq7Sj4lCG1h/LXAhIU8UE"
    "CybVAg8LledVn1baEueh5rcdarY0aUOthyW51qui9YSIpPP2kQSDrM6xsmmGISjMg8/VUX"
    "Vh/ktgV3W5JglExCtH9ua3MZIZ4T09ihpkthzZlE+LpEaWTFmF0pYgPbBO6gqRqFq6gbaE"
    "qMs6qStESCG+mbxEVGYrmHpeR3WFyj5tsx1KI9pHnQDaZ0bmSlanjYSMDLt+kpWRWSIJQ2"
    "HqtjtIXsZYwGbrokhkypeoXRJhV5yv9IyNgf+XFPjIOGHmStQps13KMTPurNfXbUtz1jcy"
    "5cs1UavpvJW7ZTpgJdEYPBgziAx+m31umd8a6otim0GBZYA0+tZwt2zDhKZl2EVmOOuhLN"
    "bD4U2WQy/aeyaqzzDpvGgOPiBTQ5D3QnbgxuABjEEJiTKk51CLno6PCdaAC1HCICdPNGmF"
    "hqJwR+VqSIHYB9zP5KcVgdltXz94d09dcMy9RHTXs0t86fL4JZquisgwKGjFMG/cjUfd3v"
    "19f/i5DfxeHpVxr3P97zatCSm90r9+7XUnvWt64b9IJC//qNx0+gN6xS95dXjNkdc1bO8t"
    "77zwJWo4M07zEgozGYUxSuELlswiJBOv/UbmTNUg3jHDZIHwfJEQsEpF0xfgcMbh1OA8Kc"
    "WWiqbXnoOZYENbOguHCQYiT0oKnd3IKkxBNkk4AvKMSh8fzBkYXo8ergY9cDfudfv3facy"
    "jxctZTdZQMnj8ZF9dpCKeoYdsg7z7YyQigEe3tby8InTycQxJvECGoK5sJZTJfGQTSZZNS"
    "bLq34WYayaJlpqSan+dL5qQISzVXkC7K0mwDhbtc5az8NWdZz1zUq1RWQ5V7U6io7Pb5qF"
    "TCyUkG4HBkTqZ//tPhHGEsDFalEEReqUpdlXMQovxx7xH3k1ilA1iuCwCpWjGJNlZNzvTh"
    "qxpWEHoLoUxuNaFfJiGlgMUyDNwx4S1dXWfNvc5O0jQTp8fIZYFOq2xyQGrJMaIbRPepUz"
    "nBLoVf5AS6dXiX6b/dKrArGoSIlg+uEuyrMKtNCxiASRHQCI3PLPBhCYLcWM3jexSX5Y5K"
    "JIRtBc1V/t6/6JaRaa4KyuA7C6bDUVsGU9gTrSjXIl6JoZ+blmPD1nyNa8CMBu+9rR/Jvn"
    "udA9z0D3PI6uNS08hIMytWMTneUaw2cZY/gs4ZMbgTeLAZ1evSYiVgOsy65iE3hNwSQ4b4"
    "i+J8tVUFgFns1SYIUJypRHO7L7lMtZZ3J9KTPjQ5nx72SacF7o8zJu+/I/LdP458xS7G+1"
    "TS0sm8SQ/UCf968DjPm9fHBGRiuUUjdrPePOEy5v5EO56KhvXPU+94fD3rgNpmiOFfJOtJ"
    "zTpDe+7V33O5MeLehkIp0dFjURLen0pTPsUoYdlFb0d0vk2mBA/nSefXC2nQyVuUVc0yIL"
    "VVCmPHXZdReOjpoQ9IZjGKdTmsJS+4pOx1A+miw5/T6VIhbbXwMyJZo0D/fXJRnxeUz4dA"
    "M+Zr67PKQlViyzECEvSZQP4aNnqEs6nBWuf3g97txM2oDJPip3D1eD/v0vdEf0AolkSyRj"
    "sP+FbZO6uMCrqlDRWb5AwEuy1xWtCZogWr8s7r4Kg9ppCCdEnH/ZiYpxcll0zYnF3/ODmy"
    "TK13RO3qs5jYuT996i1nOR9/h3Vt8Gd88x5YokkoMi/FBSfJ/0k/jFcI3JcdreetpemDHB"
    "uXtZPLPYAMtB4GOTfRfQ1qwsVRTb4KK4BYnPhHNBV192QuObwHmNBvMBqXxHCRGvVJsbKu"
    "Lya1uPpi7rpK4Q8WK+B6HO0iU8lT3rrO/rCLSC6bRbR6JtjBQEyOYDNKSDd7bwCSDS79vg"
    "ZQFNYC4QeHoiF56ewAzLJmlmGcg4AS/YXACoAKagD9Hw9i77TaDzfgsQhelP/SPC7+Xs2V"
    "LZs7AQtdNpXlqap7TsQS5mZwaxM87rdGZzQVc9IMPdyfXupL+UbOnv1O4zCCcxhycwtKr0"
    "YWLHrE/YNn2DP33PlP02+z104o80TTUw65If9OAHPWp10IOT5A/F0F5b63Q9CWcndU83U4"
    "PLzS9CxaHAkPWJSD4qX/rXvVEbrLCE1Eflpj/otaljgaKeyQEYk1NVSuD1ZXzu2GnPJ0Hh"
    "ScDUX5TaFBLipKa8pCbPhslvpgRFuGuSVdyw2hzV4yWMYUPQdLTC6CUhsLnmE9ABQV5Sr0"
    "BJPU4iSx/ex0kn4iSyt6j1PCQyaBjILBawDIpwblHC8smDwDwIfFRB4NiCsANc604mCq6C"
    "W5CJNF2lq/lOaDJ3gb5qMpj3mr8PsGYSMhFhTk16NgKF2+XK4Gt2+lwHUJGAm21HykzVRS"
    "SB6StLt9Og+BQa6Gcg0qkmywRA8IyQZrDbuvqSnMbfZeeJuXzLoWA6a3A0mR/Mm/DyWIfI"
    "mhzfyU4yY/DKfZXc8eROd9L/0msDW/pR6Y5u7wY99okhUV1qdEWWyFVaAWHAPjPkjPWqHO"
    "80yDwRNw7++9IlBp5nOiqspptxjwb3ieSjctfp06O3ENNTt9e3/SGtTLHESgXC/u5WLJAF"
    "VESFziYmifJYXtwxcuakkMoNznCQEmQ5xFGIGQe0YBHqgAh359OOLG8UGIuI8shYVSJjee"
    "Kh/oqzQRw8Isu/jVCdECiPfNd/fueJfPMw7T52SxobKIZpQIIjuj7w7QZf+DHarOhsYFCt"
    "D3nzXEIphPJYeSUe+z5c7DuCWioTP4jrOkZ+SKH5A+F+AJ1FrO2+0iPW6UHvTTpKDHCHQ/"
    "rOcQN+Zu2QIW3Po0pYLLJoYCE5zgIrwgLj/u8b8X9dlm/6F7rXEoQzvs/No7INGRomQQgp"
    "G0ylqCwPMlR4bmVU+CjmFMfkuGucNK9ss7MQsiEZjur6gEPYGN7SQ65loZqTiJccm7zrQx"
    "D+keYtAa5dwaQouKH5W6Uz7U5xoeRSMNq6M+2i32at49wBEjZYDWQgkp6AOgMqcYHt4MzP"
    "4OmJXhWe0evTE3hHPV7WSiQu70yVJSS9B9gAtt6Z32wLxv3qPT5nTY0Yt2PudB/Y6ZYKHb"
    "5329fw7P3uvxfujfGCALsyHOQcIDt8LEGdzYp4tWEpzoqJm95wSfcFihA9v5pU2fUKz9OP"
    "ECVI1wjln5rNs7PL5unZxafW+eVl69OpB3f8VhbuV/3PFPrQcD/mbxGVtpLs+FNE6LuGdW"
    "RsQgELSfI4aHViNfE4KB1BOpLQkqFQJAyaIFmj5WxnmwaFCC2TcjipyAZFeGCZn9Sve1CZ"
    "n9R/i1rnfMWKBLs5FaxkKliZRcsrZl0dhPdlY5UQpPZATI9Rq16TfNwuSxcX0IjEjVPoW+"
    "lt8xRq9U4k+1YNacMPIh86gFz1g8jx+d7QkCJRyIoh3rjrDa/7w89t4MiHT7redPrs/PEM"
    "YpkeSe59veuP6QU7PECujHs3D8NreklHM4u8YEWOKDuRus1jfNvF96q2Ox4mwCdjwxTsL7"
    "JvoIgkaa6MjZXh5kQ3UUVctjYxDR7zrlnM22YkCMVzwCGx+pXn3UOSUldpSeOEtSQd5qBM"
    "Dcfy7g0ZFzDBQIaBU1iD6/GOiO9keB/WBQjXnm61cgBPWqVXnqb3UqDX4GsqFTYH9GHxPa"
    "0sNcNeXCDxWbXMojXWo3L1W8f3VWa9Qrniqq3xxxuNjydheOotfZ4dZxKGp97eotbzpN5o"
    "EG8DlQfEOPGnOuqNz2o7LLuBhkOCXMdV1rEbVt9AyxFRrufq61kgm1Higap0jycmWD+Xp5"
    "XrA4KtjA8ItuIfEPTccwfADZ37kHT9oN+Pc2/HWotSgrS08BUnqbY5z4rXhasuorwu3Jas"
    "tbS6cP5HO3hhuN2yAVOR1XZy3t0/W31cu1YBYP3tOgQseQMwfBgMDnXe/c7OxvyOpgtVfW"
    "4kUAojLU6yuIVubucl0DjHQXjXfARoxcq+aZqMkQRUMmbaAJsGwFLkELorkXTcfcveEg+1"
    "BxO1rFuqy62OtWcRTGpGTCyFVJJOX+SJ+RIS896kKAByUKaGIO/FWWQAFcDYbV9DfD/mio"
    "N8zIiDfIzHQXQkIrzaMMAYEi0nOVTqcn6cuaG0jGDMDTuMBdZBOhYXSZaXcyfT4oJ+m3WG"
    "Vrqe1x/O4AcuyjxwsUK6gYvFvQMiNVzq97KV0klVAGGneQ3R3ctGSp5oJlYb/PV+NEyLv3"
    "oi0c0Tiyb4G9AzEEeIdga4FIzQFuli+u628zUKd3cwuorufbSDq6SYYpmb2Y//A2c8g5k="
)
