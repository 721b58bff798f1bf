from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "notification" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "type" VARCHAR(40) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "url" VARCHAR(500) NOT NULL,
    "data" JSONB NOT NULL,
    "group_key" VARCHAR(100),
    "in_app" BOOL NOT NULL,
    "mail" VARCHAR(8) NOT NULL,
    "digest" VARCHAR(8),
    "created_at" TIMESTAMPTZ NOT NULL,
    "read_at" TIMESTAMPTZ,
    "mailed_at" TIMESTAMPTZ,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_notificatio_user_id_adbc24" ON "notification" ("user_id", "in_app", "read_at");
CREATE INDEX IF NOT EXISTS "idx_notificatio_user_id_6f1887" ON "notification" ("user_id", "type", "group_key");
CREATE INDEX IF NOT EXISTS "idx_notificatio_mail_b72265" ON "notification" ("mail", "user_id");
COMMENT ON COLUMN "notification"."mail" IS 'NONE: none\nPENDING: pending\nDIGEST: digest\nSENT: sent';
COMMENT ON TABLE "notification" IS 'One thing a user is told about, in the app (``in_app``) and by mail (``mail``).';
        CREATE TABLE IF NOT EXISTS "notification_digest" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "period" VARCHAR(24) NOT NULL,
    "notifications" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "sent_at" TIMESTAMPTZ,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_user_id_8665cd" UNIQUE ("user_id", "period")
);
COMMENT ON TABLE "notification_digest" IS 'A digest mailed for one user and period (\"daily:2026-12-03\", \"weekly:2026-W49\"): the';
        CREATE TABLE IF NOT EXISTS "notification_preference" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "type" VARCHAR(40) NOT NULL,
    "in_app" BOOL NOT NULL,
    "email" VARCHAR(12) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_user_id_e601ff" UNIQUE ("user_id", "type")
);
COMMENT ON TABLE "notification_preference" IS 'A user''s choice for one type; without a row the type''s default holds.';
        ALTER TABLE "user" ADD "timezone" VARCHAR(64) NOT NULL DEFAULT 'UTC';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "user" DROP COLUMN "timezone";
        DROP TABLE IF EXISTS "notification_digest";
        DROP TABLE IF EXISTS "notification";
        DROP TABLE IF EXISTS "notification_preference";"""


MODELS_STATE = (
    "eJztXWlz2zi2/SsofXlJlTvlyEvS6qmpki05rR5ZctlyOm+iLhoiIQnPFKkhQSuemfz3B4"
    "D7KlILRdH4lJjEBalzQeAuBxf/aSx0Banmh9+hpqhI6b4gjTRa4D8NDS4Q/U/i/RPQgMul"
    "f5ddIHCicgHEmkhzuz1vOjGJAWXW7RSqJqKXFGTKBl4SrGtMpA0MRBvQvwCZQwLm0ASGpY"
    "GpbgCoAd5jC6wMTAjSAGatEKB9aqYjpU8BJiZA0ymSyQkwdQDZkxVdpo/G2mxfDxlrXp8U"
    "B/yCDKQAssIyAu/oI1QETQJ0TUbvAYHPyBXmlz6wN7Q0/C8LSUSfIfo4g77n9+8NGzuD3b"
    "fBxErjr7/oX1hT0A9kslbsz+WzNMVIVUL6whxzfl0ir0t+7QrPehq54W0ZLBNJ1lVrofnt"
    "l69krmueALaVPEMaMiBB7AnEsJjmNEtVHU27yrR/g9/EfsuAjIKm0FKZ/pm0/QL+tYYkDY"
    "Yj6aE7kqRGbGy4EgFNOpdkXWPjir6qyQGYsVf45ddm8+zsU/P07PLzxfmnTxefTz/Ttvx9"
    "47c+/bRfxkfL7opj1vvSG4zYC+l08NpDm134yWUggbYUV4aPfkB1YRVcz6GRrICASEQL9O"
    "dFteBinqUG94KvB/+zK0MRC/hDUpE2I3P658eL0wyQv7bvr39v37+jrd6HoR44t5r2PYa6"
    "j7L3VcRgfnzsdZJhDspEcLYsrHxgkkeIdga4HNmzSw7sUjfJzOA3OUYRQJ3ZWoIkDmmHgk"
    "HwAmWNXlcyAqziiH5w/7MbgEudVugErww19dV5bgbeo95t92HUvr1jj1uY5r9UDl971GV3"
    "mvzqa+Tqu8vIuPc6AX/2Rr8D9if453DQjSrRazf6Z4O9E7SILmn6SoJKACL3qgtjSOlTiJ"
    "0VOrJa6DpduLRkfftCEV1PqNS+vh/vSrkf0NVw2A/p8qoXWRAGj7dXXTp9cSXSRpgE1gm2"
    "RE+fA8sEuzCB8vMKGooUu6M39bS28VuL5iJ6BWpwxvFjv5P9Ksdy6+uzWYZhF7ydw65T9V"
    "lem07RFxRl27A6yWFYyXQumaHfwNPT0pqo2JzzaeXpCWATmIgkGHQ7fsJYY3YZbcn+1u1e"
    "Jpb5gbbHCm2lGwoyTMBlZcg6Zl25CwttwKA1uRi/yEzLscbGm7Wggif8jknbgLm+oi0MQJ"
    "X2CtjEaDpP9d4rzToUZuAxmIFVMlAOqo7dmCcchwImtdu+jvb0aS57+jTDnj6N2dNsHMfx"
    "/eNhOEjG120fNfcwdW3/C+gEFps2jgDnDFgZEiFDwEXz3W37WxTo6/7wKjqmWQdXEdDZYq"
    "Q5i2xe4IMyAvwtwNdl2TKMjTyeiGg5Lk+5M059fZ6g3VdU8VHZHWjeeeWK+LpHomcXpJii"
    "K+JwtZd4pD8jrZHgbXn3TrJcLbjE1Oh3m61ztdL1u2P/4a04D82P55/OP59dnns+g3cly1"
    "VY7xbwfwvYsW57Ycfms2P5NyPNoTkv5C2EpHaD9WGHcQjpy/McQF+ep+LMboVhXhpoin8U"
    "gdiXqONQvswzkqOLYWAgX0YBlqkBRjayUcKSwjatis2SxzZVoUkky9xI71HZUmzTqniIVV"
    "J0qnEa1LSBXuias4mew5JCy1XWMv0cjcQYcKodHZBYb0wfw2S9A3s65tSFAY6je6MbCM+0"
    "f6BXDnKPvhHU5CQ72vHJHp1ujgzcn+7oca/6X7MBV55LFxxU9LfTX4zsJOV1++G63ek2fh"
    "7GS+aoJ3jIrjbSvWNX7cIxPqoP+SQrX7aAWC3iUHgCtXPXmhd5/DXaKtWf4PciHhs0zZVO"
    "P9mivnFMsIb+W/PiIhfiFxmIX0QRn9IHS0XjPSGhGiK9l6DPBOtxjEfoR8qU7DQvD91G4w"
    "C2cvfbKDtn5pnK/eHgi9s8mkgLAw1f6PRtSJZRaKYOS20Ee8V8lMjscXr+Oc/0QZulzx/8"
    "ZhhtQ1dT5o6uZi1ipm3YS3Rk9zXIY6sj7dpSHAZZAcgbD6PHTncwagFHfqz1Bg+j+8fr0f"
    "C+BTCD3ZIJY1G1O7e9QQtAZYF5VuTwQTpsSoxd9pKgpUwGZUiuRBKlq7Sj4lCG5h+LzCW0"
    "1OUECybVAg8LledVn1baEheh5rcdaraWyoZaD0sKrVdF6wkRSeftIwkGVZ9hbdMMQ1BYBJ"
    "+ro+r4F8408G9dK0abDciU6B89jq735SLtIxNegGUUsF1cRk8C3fPKkb35xz1S+baC9Fh1"
    "kD90ZBNrWrw6sjCpOlS2BOmRd1JXiGTdMky0JUTXvJO6QoQ06gGrC8RktoKp63VUV6jsPU"
    "3boTRkfdQVIE0neOps99oSp0Ggq7cAl6TgGTK3/QaDqHV4h28CO0aZQwbS5G2n+iB+d16n"
    "dcJwn2nqK1WfNBLS1Pz6SVaaeoEUDKWJ2+4gyWpzDpsXl0V8AF+idpnVXRFh09PYJv53Uj"
    "Q4Y9utK1Enuk8pe29FBLO+say0COZGnne5HmU1I1rlLpkOWEncLg/GDHaX32afS+b3hr7S"
    "bK8lMA3QRt8b7pJtEkgs0668JahgZVHBDm+yHHrS3vPunSmmnRclJgVkagjyXhhgwhg8gD"
    "GoIFmFbHN+0ZIhMcEaEMRKGOT0iYSVrSkKd1SuhrywfcD9TH9aEZjd9vWDd/d8LsfcS0R3"
    "PeXOly6PdLc0dBmZJgOtGOaNu/vhdffhoTf40gJ+L2Ptvtvu/G+LFcpVXtlff3SvR90Ou/"
    "B/SKYvP9Zu2r0+u+LXATy85ujrmrb3lve78CVq+GWc5mVZZ9KsYzzrFVZIEead134jc6Zq"
    "EO+YdjdHeDZPCFiloukLCDjjcC7hLClNkoqm116AmWBDW4adgjIRfVJS6OxG1WEKsknCEZ"
    "CnTPr4YM7AsDN8vOp3wd1997r30HPKlXnRUn6TB5Q8cjNdZ/upqGfYIesw384IqRjg4WUt"
    "zyaL9B0Wse0Vc2hKZG4tJlrizsNMBn9MVpRCLkLjJwQtlkmsgHQSf0BEUPhFAuytJsAEhb"
    "/OWs9D4Xec9c3qV0ZkBYG/OoqOf98sC5lYPSbdDgyI1M/+230ijCeAixXoCYrUKUuzrwo9"
    "Xo494j+KEj2hEj3BYRWq0XNPp5H73vWoEZsadgCqS2E8rlkhL6aByTAF0jzsIVl/2Zoen3"
    "uvxZEgHd5TSC2KrYnxfd5JjRDaJ73KGU4J9Cp/oKXTq2S/zX7pVYFYVKRuOjvNkPGsAi0M"
    "LCNJ5vt1Irf8rTwUZksj0fsEE/rDIhdlOoJmuvFqX/fLSPDQhGB1HYDVZaupgC3rCdSRbp"
    "QrQdfMyM814+k5U7VmRQB229eO5t88z4XueQa653F0rUnhIRyUqR2b6CzXGD7LGMNnCecQ"
    "Bd4sBnR6Sa+IWA2wzgpk7KO0V+A1JUJx3hB9T1aooLAKPJulwAwTlCmPdmT3qZYzz+Q6Pj"
    "jj9OD44cEEzgqdueW2L/+8rcbfppZmH2A5sbBKqCH7gT3v7wcY83s5hUtFLyilmOB6xp0n"
    "XN7Ih2rRUd+46n7pDQbd+xaYoBnW6DuxGnej7v1tt9Nrj7qsyh1BBt8sShCrc/e1PbhmDD"
    "uovLDfrdBr/T7903n2wdl2KtRmFnVNi0xUQZny1GWXSTk6akLQG45hnE5pCkvtKzodQ/lo"
    "suTs0D5NLra+BmTKLIj00CnJiM9jwqcb8DHz3eUhLbBmkUKEvCRRMYSPnqGuGHBauChs57"
    "59M2oBLjvW7h6v+r2H39mK6AUS6ZJIx2DvK18mDXmOX6pCRef5Agkv6FpXtFBygmj9srj7"
    "qpZspyGcEHH+aScqJshl0TknFn/PD26SqJjTBXmv5jQuQd57i1rPRd4Th0+/De6eY8oVSS"
    "QHRcSmpPg66Sfxi+EakxO0vfW0vTBjQnD3snhmsQGWg8DHP/ZdQFuzslRRbIOT4hYkPgJn"
    "kqGvdkLjG8FZjQbzAal8RwmRKCydGyrq8i+3Hk3XvJO6QiRqbx+EOsum8FT2rDO/ryPQSs"
    "Rpt45E2xhqCNDFByyRAd7ZwieASr9vgdUcEkDmCDw90QtPT2CKVUKbWSYyT8AKkzmAGuAK"
    "+hANb++y3wQ67/cAUZj91L8i/F7Bni2VPQsLUTud5qWleUrLHuRidmYQO+O8TudrLuiqB2"
    "SEO7nenfSnki39ndqdWnISc3gCQ6tKp7U7Zn3Csukb/Olrpuq32e+mE3+kLXUT8y7FRg+x"
    "0aNWGz0ESf5QDO21tU7Xk3B2Uvd0MzW43PwiVBwGDJ2fqORY+9rrdIct8IIVpI+1m16/22"
    "KOBYp6JgdgTE50JYHXl3EGvNNefASFPwKu/qLUppCQIDXlJTV5Nkx+MyUoIlyTrOKG1eao"
    "Hi9hDJvs6LIXjFYJgc2sqnphQVFSr0BJPUEiSx/ex0knEiSyt6j1PCQyaJqIFAtYBkUEty"
    "hh+hRBYBEEPqogcGxC2AGudScTBWfBLchES0Nns/lOaDJ3gb5qMpj3mr8PsGYSMhFhTk16"
    "NgKF2+XK4C/t9LkBoKYAN9uOtKluyEgBk1eebmdB8Qk00W9AZp+aqlIAwTNCS5PfNvRVch"
    "p/l50n5vIth4LpzMHRZH4wbyLKYx0ia3J8OzvpF4Nf3FfJHU9uX496X7stYEuPtevh7V2/"
    "y48YkvXFks3ICr3KKiD0+TFDzlivyvZOk34n8sbBf1+6xMDz1ECF1XRz32XBfSo51u7aPb"
    "b1FmK267Zz2xuwyhQLrFUg7O8uxRKdQGVUaG9ikqiI5cUdI+eblFK5wRkOUoKsgDgKMeeA"
    "FixCHRAR7nzaluWNAmMRUREZq0pkLE881J9xNoiDR2TF2QjVCYGKyHf9v+88kW8Rpt3Has"
    "liA8UwDUgIRNcHvt3gi9hGmxWdDQyq9SFvkUsohVAeK68kYt+Hi31HUEtl4gdxXcfIDyk0"
    "fyDcD6DziLXdV3rEOj3ovUlHiQHucEjf2W4g9qwdMqTteVQJk0UWDSwkJ1hgRVhgwv99I/"
    "6vy/JNP6F7LUE443xuEZVtqNAkFCGkbfApRWVFkKHC31ZGhY9iTnFMTrjGSd+VbXYWQjYk"
    "I1BdH3AIG8Nbesi1LFRzEvGSYx/v+hCEv6V5S4BrVzApCm7o+63SnnanuFByKZjluj3tst"
    "9mrePcBgo2eQ1kINOegD4FOnWB7eDMb+DpiV2VntHr0xN4xzxe3kqmLu9UVxWkvAfYBLbe"
    "ud9sC8b96j0+Z02NGLdj4XQf2OlWCm2+d9vXcO/97s8L98Z4QYBdGQFyDpAdPpakT6dFvN"
    "qwlGDFxE1vuGDrAkOI7V9Nqux6hWfpW4gSpGuE8q/N5tnZp+bp2eXni/NPny4+n3pwx29l"
    "4X7V+8KgDw33Yz6LqLSZZMdHEaEfS2wgcxMKWEhSxEGrE6uJx0HZCDKQghYchSJh0ATJGk"
    "1nO1s0GERokZTDSUU2KCICy2Knft2DymKn/lvUuuArViTYLahgJVPByixaXjHr6iC8Lxur"
    "hCC1B2J6jFr3muTjdlmGPIdmJG6cQt9Kb5unUKu3I9m3amgbsRH50AHkqm9Ejn/vjSXSFA"
    "ZZMcQbd91Bpzf40gKOfHin6027x/cfTyFW2Zbk7re73j27YIcH6JX77s3joMMuGWhq0Res"
    "yBZlJ1K3eYxvu/he1VbHwwT4VGwSyT6RfQNFJEkLZWysDDcnuokq4rK1iWmImHfNYt42I0"
    "EqngMOidWvPO8ekpSGzkoaJ8wl6TAHZWo4lndvyLiASSYyTZzCGlyPd0R8J8P7sC5AuPb0"
    "xUUO4Gmr9MrT7F4K9Ev4mkqFzQF9WHxPM0vNsJfnSH7WLVK0xnpUrn7z+L7KrFcoV1y1Of"
    "54o/HxJIxIvaV/Z8eZhBGpt7eo9TypNxbE20DlATFB/KmOeuNftR2W3UDDIUGh4yrr2A2r"
    "b6DliKjQc/X1LNHFKHFDVbrHExOsn8tzkesAwYuMAwQv4gcIeu65A+CGzn1Iun7Q78e5t2"
    "OtRSlBy7TwlSCptgTPStSFqy6ioi7clqy1tLpw/qEdojDcbtmAqcgud7Lf3d9bfVyrVgFg"
    "/eU6BCx9AzB47PcPtd/9zs7G/Ikmc11/biRQCiMtTrK4hW5uZxVonGMjvGs+AvTCy74tly"
    "pGCtDpmGkBTEyAlcgmdFciabv7lr0lbmoPJmp5t0yXW21rzyKY1IyYWAqpJJ2+KBLzJSTm"
    "vY+iAMhBmRqCvBdnkQNUAGO3fQ3x/ZgrDvIxIw7yMR4HMZCM8MuGAcaQaDnJoVKn8+PMDa"
    "VlBGNu2GEssIFO8BTL0NFGzP4K3c+0vrRoy1wbPMicHRoH7cPmqF1EdFUBcKJb5ARgjdfa"
    "pY8E756esCbR/z09veeFeSevYAGxym6wf+nl5E0hO+6/yEYSu0P2PzZyvf0k7m13bpwZ1D"
    "y3CxWx2+xp/EmsWbGtJsKoK8uoE+ugtw6e51kGz9NXwfPYIkgwUYuh6wrUEN5mLjOjmWFm"
    "NONmxkRXEkjvI/QjZfJw29cC3yy7ofttFDIZXBTf3ba/vQ+ZDf3h4IvbPID6dX94FY1aFy"
    "NNbsOVrBrUJWQO2RQdh/ePh+EgZfeM0z5qH2OZgP8Cts1pXzg3/ja1NJlBCCYWVgnWzA/s"
    "sX9vlD/QGT7ZAz06piNGL+sgOtB9Q6bAcA8J1S9luxcv0TcsI/Zf1iEGvlCJJxi4luHRHm"
    "DgWuObbD12ZUvceKzpWuGTdQfUp6UgU8mxFt+B3Ol9od5tCyh4hkwy1h66A/qX6RRfPvBp"
    "u/ZLFZlufIn6zTU7BleQ09Nxr1coKhyBhJtFH6GgNh4DtXGxKU15IWjKx6JjwZMSPKkK0E"
    "7Wnp95+IxHxzYH1+Q9Op7RmC/7IflWZr6DGFhrYE+wYKobvHoVT1iwTMQSGVhXwLsxnWax"
    "+tpqnjYvf/nY/OX0bEyfMG6sEHp2L/95/uu48b7F0hqxbMi+HjTWfC4Lk1/AZ2QCTDjl5Q"
    "Ss5lieoxeb5yIj0wT0uQYixiuYIWKyHgwEptgwSToBxv3g7EcI6stxZEkcbcU0kEF88SRq"
    "GP9s5in60Uwv+tGMFf0ITjpFSk3H5GpTQUhURRbe7xbeL4trbaDygJjwjIRnVOmPV3hGwj"
    "PK4RndGWiKWKU71FjjHQVa5veQlmGhHF4Sw+x/TCDPdSwjz3lh4+Y3sMJ0EFkEQGDoK87p"
    "Ytdpa0fDYK7T35/E1t9Rr5lOCx/b4hC6Q9YQFnytPfK1jicdfRgraYfpaJSej07Z5FB+Er"
    "o8bkUzD7Wimc6saEZHsqjMlA79cTp9CV5BrDKTcAqEUyCcgjSnoI0MLM8bCU6AcyfT6Id+"
    "m3U2fjqg6zddCGu6TGv6BRkmLlYYKSBSQ0tkL3stE23qdISTrek6oLsXDi19InFIjHmp4w"
    "GR8tnjh3FddsYTP+hux5//D9MtNVA="
)
