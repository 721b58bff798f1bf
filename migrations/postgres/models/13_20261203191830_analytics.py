from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "analytics_course_day" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "course_id" INT NOT NULL,
    "day" DATE NOT NULL,
    "enrollments" INT NOT NULL,
    "cancellations" INT NOT NULL,
    "completions" INT NOT NULL,
    "progress_updates" INT NOT NULL,
    "active_learners" INT NOT NULL,
    "forum_posts" INT NOT NULL,
    CONSTRAINT "uid_analytics_c_course__399459" UNIQUE ("course_id", "day")
);
CREATE INDEX IF NOT EXISTS "idx_analytics_c_day_dd48f4" ON "analytics_course_day" ("day");
COMMENT ON TABLE "analytics_course_day" IS 'One course''s figures of one day (UTC).';
        CREATE TABLE IF NOT EXISTS "analytics_course_day_revenue" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "course_id" INT NOT NULL,
    "day" DATE NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    CONSTRAINT "uid_analytics_c_course__49f61a" UNIQUE ("course_id", "day", "currency")
);
CREATE INDEX IF NOT EXISTS "idx_analytics_c_day_358944" ON "analytics_course_day_revenue" ("day");
COMMENT ON TABLE "analytics_course_day_revenue" IS 'Paid minus refunded, in minor units of one currency, for one course and day.';
        CREATE TABLE IF NOT EXISTS "analytics_course_totals" (
    "course_id" SERIAL NOT NULL PRIMARY KEY,
    "enrollments" INT NOT NULL,
    "active_enrollments" INT NOT NULL,
    "completions" INT NOT NULL,
    "progress_sum" BIGINT NOT NULL,
    "forum_posts" INT NOT NULL
);
COMMENT ON TABLE "analytics_course_totals" IS 'One course''s figures since it began (its current state).';
        CREATE TABLE IF NOT EXISTS "analytics_enrollment" (
    "enrollment_id" SERIAL NOT NULL PRIMARY KEY,
    "course_id" INT NOT NULL,
    "user_id" INT NOT NULL,
    "percent" INT NOT NULL,
    "studying" BOOL NOT NULL,
    "last_active_day" DATE
);
CREATE INDEX IF NOT EXISTS "idx_analytics_e_course__311ed3" ON "analytics_enrollment" ("course_id", "last_active_day");
CREATE INDEX IF NOT EXISTS "idx_analytics_e_last_ac_2a0b37" ON "analytics_enrollment" ("last_active_day", "user_id");
COMMENT ON TABLE "analytics_enrollment" IS 'What analytics knows of one enrollment: its percent, whether it studies, and the last';
        CREATE TABLE IF NOT EXISTS "analytics_lesson" (
    "lesson_id" SERIAL NOT NULL PRIMARY KEY,
    "course_id" INT NOT NULL,
    "started" INT NOT NULL,
    "completed" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_analytics_l_course__2fe9e4" ON "analytics_lesson" ("course_id");
COMMENT ON TABLE "analytics_lesson" IS 'A lesson''s funnel: enrollments that opened it, and that have it completed now.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "analytics_course_totals";
        DROP TABLE IF EXISTS "analytics_enrollment";
        DROP TABLE IF EXISTS "analytics_lesson";
        DROP TABLE IF EXISTS "analytics_course_day";
        DROP TABLE IF EXISTS "analytics_course_day_revenue";"""


MODELS_STATE = (
    "eJztXWtzozjW/isqf9l0Vaar20m6ezJbW+UkTrdnEyeVODPz7mQKY5BtvcGI4RK3d3f++0"
    "riDgKDbTAm+tRt0BHkkZDO5TlH/+kssAo1633/Fer2pWNa2Oycg/90dHkByX94t49BRzaM"
    "8Ca9YMsTjbWHtKGkhC0nlm3Kik3uTWXNguSSCi3FRIaNsE4lvuEluWUCGShYt5wFNAGeAn"
    "sOgYZnYC5bYIbtc0A6NleAdQ8MZ6Ihaw5V4BjAxmA8NrCFaIfjMX2oihXyVKTPKuj/WT8i"
    "P/0GkgX/HI/fsW4mEOrkP7pK5IgQso8B0tmDCAK6RUAgHZDfsg0W+JU2IrdcpN7Tt3Z09K"
    "cDJRvPILlDh+H3P8hlRDr8Di3/p/EiTRHU1NgosX/JTXZHslcGu3o5l81r1pZiMpEUrDkL"
    "PdreWNlzrAcCBDR6dQZ1aMo2VCODpjua5o2xf8l9X3LBNh0YvKgaXlDhVHY0OvRU2n2H8F"
    "pHkoZ3I+mxP5KkTmpa+BKRkfQu0VEkgCLdthgGC/m7pEF9Zs/Jz48fPvzlPiiEwm1Gn/hL"
    "7+HyW+/hiLR6Rx+Jycx0p+3Qu9V17/3FOpFt2e2GgR+i7U+GNOIXaDbQbT7mUakE7uRv2Q"
    "R3/0IIfPiJ+Sh/qAr2GX2DH37sdk9OPnc/nHz6cnb6+fPZlw9fSFv2uulbn3OG5mLwdTAc"
    "xQeFXqAjESLvGCrFR5LtNPZX5I6NFpCPflwygb/qib73/1PVaFT5HZhQVu90beV9fzlYjw"
    "a3/cdR7/aePm5hWX9qDL/eqE/vdNnVVeLq0afEFxN0An4djL4B+hP8627YZ/Biy56Z7Ilh"
    "u9G/OvSdZMfGko6XkqxGMfIv+29Pl7rpS+TzoxcmsvKylE1VSt3BXZzVNn1r0V0kr8i6PG"
    "NjRsGlr+nte9/Icq5BlW1/vH0xdr/Axjh32xfbGXuAjGlk16CbjOnoYIrJbqa7e9U5WJrI"
    "tsnOw9lryD6HbAvA6RQqZDeyMJBT22MVD3nWgz4JDojsrHS3WyIFgiPyCA3Klg2wrsB3wJ"
    "ZfoC/MLmVthb93XOzYDuWCidTOH0V3SKSWW63d9uvXaW+ra+72WOM6nb1jRoauqIoSEdmN"
    "lrLv9Tmup5wV0lPOcvSUM09PCVEOvooUzE9Pgys+zFGZBM6Og9T3VPIA0c4BlyF74m5n0Y"
    "2K/aVxQL3VegN1Iy5Zj7pR67JymNqGB1FE2WAwxgZ9KiNvh07sFhiTjUvnj3colBjrCZGq"
    "6vsJrtT7AV3c3d3ExvJikNgQhk+3F32yfLFBJI2QHdknGqLZ3eDZLEexi94uoNdpeFZUp1"
    "PxgqDsKlbHBRQrhawlM/gTiHodZHs8BsgCFrQ5Ct2On/CsU72MtKS/sdvLxLHek/ZIJa2w"
    "qULTcp0mikw7pl35GwtpQKG1mJjrXiGq5bPuO2OsY3bHIm3AHC+pGwaQQVsBujBa3lOD99"
    "rWUSLUwH2qgU1SUPY6HLtRTxgOJVRqv30b9end+f1CfOk8TuP78+PdkI+v3z6p7iFi2v4X"
    "kAWsMi/ffqYqRSKmCPhoHt32fksCfXlzd5Gc07SDiwTodDPSvU22KPBRGQH+FuBjRXFMcy"
    "OLJyEqPKyHZPNE9b6yA5+U3cHIe6/cEFv3QMaZ40nPG2gL/lkyfpUU3SiI1ayhrU8tbojV"
    "2zPQCL9AvcMxeYN7x3n2rmwgYnn5zdbZu9kjsWMj7q1YcN2Pp59Pv5x8Og1maHAlb2Kut8"
    "32SyHY99ZevTHBvhlpLlvzUiZbTKp1dI1PpwWA/nSaiTO9FYfZMOEUfS8DcSjRxqn8qchM"
    "TmokkYn8KQmwQrTgzSgYcUlhIDRFcSxiIGiyZUuOtdG4J2VrMRCaYqY3aaALWQgmfCV7zi"
    "bjHJcUo9zkUSafo8l1xGfq0RGJ+tiLDdenU0ZdHOA0utfYhGim/xOuGMgD8kayrvD0aM8m"
    "e/K6OTBw//Jnj381/JpNeRmYdNFJRf528hdDN1J82Xu87F31O3/tx0pmqHMsZH80sq1jf9"
    "iFYXxQH/JxXtByISOtjEERCLTOXOueFbHXSKtMe4LdS1hssmUtMflky9rGKcEW2m/ds7NC"
    "iJ/lIH6WRHxKHiyV9ffEhFqIdCVOnwnCaYxH8HvGkuw1rw/dTmcPunL/t1F+4DJQlW/uhl"
    "/95sloZhxo+ZUs36bkmKVW6rjURrA3zEZJrB4fTr8UWT5Is+z1g92Mo21iLWPt6OvOIqXa"
    "xq1ET7aqSZ7aHUnXjurR+EpA3nkcPV31h6Nz4Mk/64Ph4+jh6XJ093AOEIXdUWxKZetd3Q"
    "6G50BWF4hFRfbvpEOWRCl+r5xRyqWxxuRqZLL6g3ZQRNbY+uPYcwkaWOFoMJkaeFyoNTmB"
    "W2riwtX8tl3NIsezbaOeleOZCjBoeIb0TSMMUWHhfG7OUKe/cDoC/8Z6Oe5yRKZG++hpdF"
    "mViVRFJLwEyyiiu/iMHg7n9sKTvf7nA9TkjPIFHP7QgS2sWf7qxMakYVndEqQn1klbIVKw"
    "Y1pwS4guWSdthQjqxALWFpDKbAVTP+iorVC5iWXboXRH+2grQFNsOgtp4djQkmbEaudVpC"
    "mB1TXt7pb09gbwEkgVQIoqflsidY8POfGmCEj2nFplW8I0Yp20G6idwfTQeqgsZxI8YieQ"
    "PUY6bCt0OrbR1MtA3xK0YaSrtwCXpKIZ3Hqtj6J2xTp8E9hRAjk0oa5sq1VE8bsPOm0Thl"
    "WSti40POlwSFvs+nEeaWsBVSRLE7/dXqhb1lzunn0q4xELJVrHM9pVWkg2qctC/+bFRnPS"
    "H32JNpFfa67eKeJ52QNymJGdrHjeRn7oev2rzYzv1LtlemDxmM4BjDlc57BNlVvm7x281F"
    "0fXmQZII1+7/hbtmXLtmO5xUAFMbouYvT+VZZ9L9oV57JOEem8LE03ItNCkCvhQwtlcA/K"
    "oAoVTab1ghh4JWZ4SrAFdOkaJjl5ok0r6ZWFOynXQpZ0FXC/kD+tDMx++/bBu3t2s6fucd"
    "FdT0APpeujoBsmVqBlUdDKYd65f7i77D8+DoZfz0HYy7P+0O9d/d85rd2vruivn/uXo/4V"
    "vfD/UCEv/6xf9wY39EpYmnj/I0de1+Kdm5L9XYQSLfwyPhTNOcpNOkplHS2RapfhoQftK6"
    "rotQ9tZmck9DlEsznHYZWJZigg4EzDacgzXpgku+qc316AydGhHdMNQVmQPInnOrvWsJyB"
    "LE84AfKUSh8ezDkYXt09Xdz0wf1D/3LwOPAqqAbeUnaTOZSCVB+yz95kop6jh6zDfDslpG"
    "GAx7e1IimH2fmGqWTDuWxJ9txZTHRuHn5uPltKVpzOUCapzbbhwuCxArJT2iIiIqFNBMDe"
    "agBMJLS1edR9jPIS2jxjfbOS2glZkc7WnIFOf980CsmtpZatB0ZE2qf/7T4QxgLA5crVRU"
    "XaFKWpql5dEGNP2I+iYF2sYF10WsUq1j2QZeRhcDnqpJaGHYDqUxgPa1UoimlkMcyAtAh7"
    "SMGvWyeLFc48PBCk4xn2RKPYmhh/wzppEUJV0qu86cShV4UTLZtepYRtqqVXRXxRiaNc6A"
    "HLlGcVaWEiBUoKy15N3AoTWwnMjm4n79vIJn9Y4qJCZtAMmyv3elhUibkmBKtrD6wud5hK"
    "6LKBQBvpRoUCdN2c+Fw3HZ6zNGdWBmC/feto/t3TQuie5qB7mkbXmZSewlGZ1rGJTgrN4Z"
    "OcOXzCORox8mYpoLMLXCbEWoB1niOjikKXkdeUbILzhugHsmIISg9BoLOUWGGiMvXRjtw+"
    "tXrWmbMiy8xZ9ipzlj4ySZ6VOgbUb1//EaCdv08d3T1Te+IgzSaK7Hv6vH/sYc5XcjCoBl"
    "9hRmnd9Yy7QLi+mS9rZWd956L/dTAc9h/OwQTOkE7eiVZ8HfUfbvtXg96oT2u+2tBkyaI2"
    "pFVff+kNLynDTlZf6d+tkms3N+Sn9+y9s+00WZ85xDQts1BFZeobLrdyzcFRE6LWcArjbE"
    "pTXKoq73QK5YOJktNzhHWl3P4akamzPODjVU1KfBEVPluBT6nvPg9pgXR+NaTM2csTFVP4"
    "4BnqqilPS5dIv3roXY/OAZN91u+fLm4Gj9/ojhg4EsmWSObg4Be2TZrKHL02hYrO4gUSWp"
    "C9ruyxARzR9kVxqzo7wA1DeC7i4stOUkyQy5JrTsr/XhxcnqhY0wV5r+U0LkHee4ujXoi8"
    "lwiEliLvJWRrIe/VGcQ53HFOf96eKlcmkBwVEUlJ6X0yDOKXwzUlJ2h762l7ccaE4O7l8c"
    "xSE6wAgY997LuAtmVlqZLYRhfFLUh8tjyTTLzcCY1vJM9aNJn3SOU7SIjEMQuFoSImv7H1"
    "bLpknbQVInEShThZQRwaUD1Q1bOxqVaQScj2VIZ1nGzJ9tqt42V37nQIiD4DDGiCI1f4GB"
    "Dpd+dgOZdtYM8hGI/JhfEYTJFmk2aOBa1jsET2HMg6YAP0Phkx2WW/HIb47xHuOf1T/0hQ"
    "xgUhu1ZCtlyKLew1ry1yWFtAqhBZOIcrnKYKe19zSe9PREZ4KNZ7KMKlZEsTunXHwh2nbO"
    "jI1IoZ0Ze9x8veVT/Phq5y5/QsRc62GdqQ2XumFrapNo8pnGkGthDrUuQOidyhVuUOibyL"
    "fZH+15bPXc/r2kkp3c2GwU/3KMPuosCQ9YlIPuu/DK76d+fgFakQP+vXg5v+OTUsYNIy2Q"
    "MJd4JVDlU0+1vw24uPoPRHwIa/LFsuJiR4ckV5coEOU1xNiYoI0ySvXmazac+Hy0FEFj0N"
    "7xXBJcezmVeoMS4oqjSWqNIoeInZ0/swGWqCl/gWR70IL1G2LGiXc1hGRQRdjbN8CiewcA"
    "IflBM4tSDsANe289Oiq+AW/DTDxHQ13wnz6j7SV0smc6Xx+wgRixOJiNO0sqMRMN6uUATf"
    "cMPnJpB1FfjRdqhPsalAFUxWLNxOneIT2YI/AYV+appGAAQvEBoWu23iJT+Mv8vOubF8x2"
    "P1emtwMpgfjZuIimv7iJocXrIw+WLQq/8qhf3JvcvR4Jf+OXCln/XLu9v7mz47tUrBC4Ou"
    "yCq5Sotq3LCTq7y53pSMYYt8J8rGzv9QukbH89SEpYfp+qFPnftE8lm/7w1oNreMaCL31e"
    "1gSIudLJDeALe/vxVLZAFVYKl0V56o8OWlDSPvm5Qy6eY5BhJHVkCchJjRikvWNY+ICHM+"
    "Kwt+I8dYQlR4xpriGSviDw1XnA384AlZcdxGc1ygwvPd/u+7iOdbuGmr2C2pb6AcphEJge"
    "h6x7fvfBGZ2Xne2cikWu/yFrGEWgjlqYpdwve9P993ArVMJn4U13WM/NiAFneEhw505rF2"
    "+8r2WGc7vTfpiOvgjrv0vXQDkbO2T5d2YFFxFos8GlhMTrDAyrDAhP37Ruxfn+Wbfej7Wo"
    "JwzpHvwivb0WTLJghBfYNPKSkrnAwN/rZyisaUM4pTcsI05n1XrtpZCtmYjEB1vcMhrgxv"
    "aSG3svbRccJKTn28610QYUrzlgC3rgZXEtzY99uknHavXhW/FIyxLqddCdusNZx7QEUWK6"
    "sNFNITwFOAiQnsOmd+AuMxvSq9wNV4DI6oxctaKcTknWJNheo7gCzgjjuzm13BtF1d4XPW"
    "1IjxOxZG956NbrVU8r3fvoW597s/gj6Y4yUB9mUEyAVA9vhYEp5Oy1i1cSnBikmr3vKC7g"
    "sUIZq/yisWfIFm2SlEHOkWofxjt3ty8rn74eTTl7PTz5/PvnwI4E7fysP9YvCVQh+b7od8"
    "vFVtK8mOT7eC3w1kQmsTClhMUvhBm+OrSftB6QwyoQoXDIUyblCOZIuWs51tGhQiuODFcD"
    "KRjYoIx7LI1G+7U1lk6r/FURd8xYY4uwUVrGYqWJ118BumXe2F9+VixXFSByBm+6hx0KQY"
    "t8sxlblsJfzGGfSt7LZFCrUGGcmhVkPaiETkfTuQm56InP7eOwbUVQpZOcQ79/3h1WD49R"
    "x48vFM1+vegOUfT2Wk0ZTk/m/3gwd6wXUPkCsP/eun4RW9ZMKpQ16wISnKnqducx/fdv69"
    "pu2O+3HwaciyJcNECtxkIHjSYjA2Hgw/JrrJUKRlW+PTED7vlvm8XUaCVD4GHBNrX3neCo"
    "KUJqYljTlrSTbMUZkWzuXdKzI+YJIFLQtlsAbX450Q38n03q8JEK89fXZWAHjSKrvyNL2X"
    "Ab0hrzKpsAWgj4tXtLK0DHtlDpUX7Nhla6wn5dq3jldVZr1BseKmrfGH641PB2FE6C37Oz"
    "vMIIwIvb3FUS8SeqNOvA2GPCImiD/NGd70V+26ZTcY4ZigGOMmj7HvVt9glBOiYpybP84S"
    "2Yy4CVXZFk9KsH0mz1mhAwTPcg4QPEsfIBiY5x6AGxr3Men2QV+Nce/6WstSgows95UgqZ"
    "4LnpWoC9dcREVduC1Za1l14cJDO0RhuN2yATORNXaS7x7mVh/WrlUC2HC7jgFL3gAMn25u"
    "9pXvfu9GY36FkznGLx0OpTDR4jiPW+jHdpaRxgUS4X31EcBXVvbNMDQEVYDJnDkHyLYAUh"
    "NJ6L4EL919y964Se3RQC3rlo7lVmnteQSTlhETayGVZNMXRWC+hsB88FGUADkq00KQKzEW"
    "GUAlMPbbtxDfj4X8IB9z/CAf034QEyoQvW7oYIyJ1hMcqnU5P8zYUFZEMGWG7UcDI8qys7"
    "h1mDqYUr7Cm7l615Q2kxZ+uwIqFztabjnHYCGvAB1XIHvpGn+zAOsOTBwb6NgGSxPZECCd"
    "6E5EabKRBsZj9u94zFO/dtjzmvpCzFgWtYX2mRrCRqt0EN0XamH8/EDWREGOEVuhIMe8kV"
    "EvQo4R8ZLdbZcRLc6h38NkVQ7XhJRAVkSiRA2FRjv319VQSM5cEeLb6dFP/oIpYF0Ha2Jr"
    "aVLl5Xui0HR48Sd6/Xi998Pw2xXwfpjQ0FbU8SADe06VumOATfLDvW5jYDnKPPh9RGtZaP"
    "AVau/egx5wEVMBfSAg82llgfTJ15U85Fk3NFmBYInI1HVsFsyaYHVVuMKG+x60NQ1f0doa"
    "RCecuznM3j1RW6NWB4ohm6WPlYjJCPJXWjmk30QazxH8ngGo374NhMU8m7T/2yhmjvqRkK"
    "Pb3m/vYibpzd3wq988Ejm5vLm74GAt2QTasoAHQjWWhem0BHThmcteSw7TR1PEMwdVtNmg"
    "xwRF4kNz3HDpMfb0vg0GOS4pRrnJo+xq3eW0vpiM8GBx1D7XgimHakxGoLreLxiakFt6Wk"
    "ZBRwcGcFFfS2xqrXdihZa4cGHlwRpbB5vkwPImNMeFFU71dU6s8OsqeoCYwwoZuW6mOM0m"
    "6kZy+wUvEBoWcxuZeAmOxuNQaRiP39Hztjl+rAqe8qwjC8yox2tq4gUlapsrct1aZnOwU7"
    "6sMEBhIF13K22yY1YJaOgV2StPE/I9XZFzyTLry3rfoPCB1eoDs5GtlSO1+gItZLV2C7Fa"
    "uzms1m6a1VqrQ6xp+AqP2BvwiIV7QCLNBmMNynqGIz0QSiA+IVJVQR5cqRf1i7u7mxjqF4"
    "MkrE+3F/2Ho49sCEgj5GpVnELGWHkpjXUoJLAugTULDkqs3HAJzSMh1ZryxLs7+JDpmqVx"
    "TYoJYFNrA0cDL+PF5Mm3MErRJmemCEZlf10iGCWCUY0cYhGMEqMsglGiANUBoCpI6vWT1E"
    "UwqoZgVMR7RZb0LY9P9GnSLQE64QSR1S3hcUNwD+2KOMdAspxJ0PlOwHqMdNgm0KqPAT/k"
    "xoEfSsWCpeIB4W94SW7RFANWg2EuW379Bbercy/QynIKHIOmIIzHzOHCHkQvk5WMV9Vhpz"
    "1zqzr4WVHRLARR1WFPAdnUyJXAmCsr/KRpv768WY0hucXusjZZ1YKMWMVnI9K+RQHiBph9"
    "pbKTBWN2h4zZfVI7YwZRpnqfNJvWqflWsn3B6m1/s4Ayx0iBVNueYk0jOrqvj1PSpcvOZE"
    "yA8ZiWW0NTpDDDz3r3HozmkLEz3dTi5RzyMpireMyzTpT+FbmADa878rhjYGHSp2wzC4Jc"
    "APKMzBOgYmixSnHeg5Ht3iBWBukFmWCJrPnGRkU0H9obhQkUGdA1GxsR5FPg5jKK4oI1so"
    "p89A+WVCRKfGXP9sOM2HNMkpSDUFgku1vOhEUiLJJGqc7CInlbFskwomh3OLZI7H6uFaIn"
    "W661P+50YgzMmZbuxgOQRYwDTQXyBDv2Mc0SIzo4PXiDGghIl8j/vMQvMFmBhYw0eoP+Sy"
    "6now0V9F8kocxfaNwO6f98byvLEguMiZVbUX9mYseQXuDKvU2fxp4UFKUWR4E07igQf+wK"
    "J5qtWnt6wmmRNLPT7Cyz01SSmUjjE2l8ewoOVZFR5picwvbZk9lr3gqoazhvli7RaXh/fr"
    "wbZhCKvfZJlwNSbPBfoKHqyE+dv08dXaEQgomDNBvp1nv62H906p/oFJ/8iZ6c08dxNwLt"
    "IDnRQ0WmxHSPCbWhbl4NZwuFimUJL2coJDycxT2cvjaens593VmkrNsY4r5sjVnYOtZhye"
    "WkM7wb9gnIRPJZv+8PrwbDr+fAgLpK0H/WrwZf+4+jc6CiGbTsZ/2xPyS/LOhaDmU/hy8F"
    "PoYvmZ/Cl9Tiz16qzHITSrRvrdkxuCIdLxv3w3TuF0nHawSfrGGf2YEMbyE6Gd2UNvqoY4"
    "JijJs8xiKUJEJJDYh5rA0l7T/iceWqg2viHleB0lgs+iGFWmax6nu0NXAXWFoMD9CCdixg"
    "QSMRBjQRVsHRM1lmkbY6737ofvrhY/eHDyfP5AnPnSWEL/7lX09/fO68O6dhjVQ0pKoHPe"
    "vhCehUfiG/QFq1jx2UfgyWc6TMaVYHPR1dgZZFD68woW2uwAzaFu3BhGCKTMteT8ByHyEO"
    "TD+MKIk3WqkRyDkuPZBoof+ze1rEk3+a7cg/TZpoMZZkie0+JSfyalJp98L6fYPWL/VrbT"
    "DkETFhGQnLqNEfr7CMhGVUwDK6N+GUKOZ0lNZYR5GWxS0kIy5UOlXFN17ovPkpOMdOZjki"
    "lNNFr5PW3giDOSZ/f5ogtrNe87NG6NwWieh7rQwu+FrV8bUOJxy9Hy1ph+FomB2P5sMM6w"
    "9C18et6BahVnSzmRXd5EwW+UzZ0B+m0Vckn0kYBcIoEEZBllHgVjS8klcdjh0Q3sxV/Unf"
    "2spGiiV55QNVT6JQikh4ThCaOeSzB3jKtHTSCTh6Gl1mZH4UE+Nq7rEih/Rd0xnfwVURd2"
    "hc3EGUTN3Voh5nWnOIvVQryiJa8yi9MVXoAEHNQYyqMkl1XTexpi2gzivKmTkVE1IiNpOK"
    "zVA9QdNKh71ScgLadLXphUEUj7LAxqUErElYDRNTg8WSXDuxDLY8UQFw6hweetILlDQomw"
    "SEMvhyJAW8SXjdClMZ1aUzoU1ICVi5dvKezboH+Ap1hxvlSbU5LmvkSWZEcq2xdy8jFSyQ"
    "7tCqwFOHDLDKkvTJJWwCMgPswIhTHJNGj1bHQczGfSgjspEHp03CXXdezHCkc8jrTRiRwo"
    "g8OHtHGJF7NyKD9SOFW3bYJyrTwsjPSYHAz0lm3OckGfaRF/QcRontBOWW3KRka1ScGhbf"
    "RilCI2wTiLOVIO9+OQXIDoU2c3RbSFcgpdJP4EzWwRHVUdxP26aVUG1Y1PVdsKP11Y0ylZ"
    "UatssD0VsqI7EIb2KVroPN0OULC5CFX7Fev6LlLMppLknJ1mBbi9koPGPt9Yz1g7X8mmlP"
    "PKUw1aagYhjuE8W0wl9pKftAHLzoeBl4qcK+zgHV5wxoKuQHzbhk2htV9yzbURG0jpnnij"
    "KY6alKKZWxkqc865RoQUXobapomlDBpgpV4K89hStqxhTF8GR3l0fyB62ambx4HPJpsh1s"
    "4d9WTm9NyQndVXjT9rH9C+bizhUqd3krE58NJcQ2noSTLv0r+sC0bpp7IkdETFSrK54ewN"
    "kFi3raOaJbet0PJ43Vc7o3RP+8IZoR1rN1z9j9gnqnxmSK6Zw94Lam7kNH16F2HlECLfd0"
    "JWyQsVeJdufrfOTaXH5lLkbPaCe3iR7Jy7nbdfdbeC3dVyl5MGlURmh+B6v5HR7I0X1VNu"
    "nfXhzSiIRQUzK8k6UAjckISBvkwOlBEylz3tbp3cnfNMM267bKbHC32JJE/ncFm9ArNC3v"
    "WJqiFIqISAsZFN2zswIcCtIquxoVvZeIpPGywLMR5ud/twHdSqq+kyfaXNdE9mEHEZH6zz"
    "vYjy23s5MN9rqZ/fU/PwdfDQ=="
)
