from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "user" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "full_name" VARCHAR(100) NOT NULL,
    "bio" TEXT NOT NULL,
    "avatar_url" VARCHAR(2048),
    "role" VARCHAR(16) NOT NULL,
    "is_active" BOOL NOT NULL,
    "auth_epoch" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "last_login_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_user_role_71229d" ON "user" ("role");
COMMENT ON COLUMN "user"."role" IS 'STUDENT: student\nINSTRUCTOR: instructor\nADMIN: admin';
CREATE TABLE IF NOT EXISTS "api_token" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztmltz2jgUgP8K46d0JttJWaCZvBlCtmwDdMDZ7XS7oxG2AE1syZXlJEyX/76SbOM7i5"
    "lAgOUp4Vws6TuWfM6xf2oOtZDtvdddbNBHRLSb2k+NQAeJf3K6y5oGXTfWSAGHE1sZQxcD"
    "vjKbeJxBkwvFFNoeEiILeSbDLsdUDkJ825ZCagpDTGaxyCf4h4/EpWaIzxETir/+FmJMLP"
    "SCvOin+wimGNlWar7YkmMrOeALV8l6hN8pQznaBJjU9h0SG7sLPqdkZY0Jl9IZIohBjuTl"
    "OfPl9OXswqVGKwpmGpsEU0z4WGgKfZsnljsBsUwDYDA0wLhrAKBVAGRSIuGKqXpq9TM5hV"
    "/qHxofG9e/thrXwkRNcyX5uAyGjsEEjgrPwNCWSg85DCwU4xiq+pvD2plDVsw1ss+QFVPO"
    "ko04rkMbCWK28f20D7gOfAE2IjM+Fz8/XF2tQfmHPup80kcXwuqdHJKKDRBsjUGoqgc6yT"
    "vmq/YMmENvXoVy2ut1WL/tbZwi3WpsALrVKOUsVWnMLkNT/FIFcexxirdya5M7uVV+I7ey"
    "gE2GJAwAeR7yrdBw7KBi0GnPDGwrdH0f/XOM6MUCrSGxF+GeWoPe6PW7Y0Pvf5HDOZ73w1"
    "b8dKMrNXUlXWSkF9kwrS5S+7NnfKrJn7Vvw0FX4aUenzE1YmxnfNPknKDPKSD0GUArsf0j"
    "aUQtFXUbehz43lZxz/q+QuTDKR9K4I8k0BGTtZFm6Ek8c7aJc9rzHOVDjrLYjgxUyqMTHv"
    "+dTB/DYf0K+bSsUKaPhem0xJWne0cZwjPyGS0U5J6YESRmUR4d1mQP4WWODO4yunsiabyb"
    "GXxelXTJm0qsXawY8SBb08cd/barKcITaD4+Q2aBFGqpoXWakaxs8yqn7mQlkMCZgiNXIe"
    "ecpF5QIUfRKK+Oo7CfC+Oj2siXawpj5EBsVykoVg4nV67Vm5vUa8KqtJ5QukzFBj3vmYot"
    "W7U2zjmeYP1WbzY3It5cQ7yZJT4VA4Oq/Z6U0wmS3knTZ4JpnrGBXkqO5NB8f3Q17Q1y5e"
    "5XI5UmRwQv+vrXd6lU+X44+C0yTxDv3A/bGdDwSRzfDPis0kmd9toK+4HVKJnT46pxvcnx"
    "IczKzw+lTNNm1C45O7rEd3KpbbpKDH13dZPnno7i0r6FgrymAnJtbDzcdgfGTS30/056g7"
    "ExeugYw9FNDUvsvskp+070235vcFODloPVW5G3b9JhD4jkEz8VRKlNRQAgKckJk36ZCE2E"
    "467OoSho+z2J2sPhfeokaveyR81Dv90V7BV6YYSD8iRKGhPnj8/nALnULMhgSjPwtNP+qu"
    "qrg87Ez63m/3er2XetLaOe9jxH/VCiXtCRDGefecFg0xkm275hSDqfm8+HE+pgh+dapeWd"
    "vcRTNfrWxCvIY0Lfu88jZEOFMx/4gi9bjmzLl3VSl7vsf+qIYXOuFX0jFGgu134hFNucu6"
    "B7ezTsuAv6hJgX7rFNq+uEywn2i3bSmZObqgLh0PwE6e6kGydG5GEjIE349/FwUFJIxC7Z"
    "nAKbvPZPzcbeMb79XANXwljfn8u24jIpgrxAu+jt6D5f5i3/BSJbsT0="
)
