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
        CREATE TABLE IF NOT EXISTS "analytics_learner" (
    "user_id" SERIAL NOT NULL PRIMARY KEY,
    "last_active_day" DATE NOT NULL
);
COMMENT ON TABLE "analytics_learner" IS 'The last day a student recorded progress in any course: the platform counts each';
        CREATE TABLE IF NOT EXISTS "analytics_lesson" (
    "lesson_id" SERIAL NOT NULL PRIMARY KEY,
    "course_id" INT NOT NULL,
    "started" INT NOT NULL,
    "completed" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_analytics_l_course__2fe9e4" ON "analytics_lesson" ("course_id");
COMMENT ON TABLE "analytics_lesson" IS 'A lesson''s funnel: enrollments that opened it, and that have it completed now.';
        CREATE TABLE IF NOT EXISTS "analytics_platform_day" (
    "day" DATE NOT NULL PRIMARY KEY,
    "active_learners" INT NOT NULL
);
COMMENT ON TABLE "analytics_platform_day" IS 'The platform''s figures of one day that are not the sum of its courses''.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "analytics_course_day";
        DROP TABLE IF EXISTS "analytics_enrollment";
        DROP TABLE IF EXISTS "analytics_platform_day";
        DROP TABLE IF EXISTS "analytics_course_day_revenue";
        DROP TABLE IF EXISTS "analytics_lesson";
        DROP TABLE IF EXISTS "analytics_course_totals";
        DROP TABLE IF EXISTS "analytics_learner";"""


MODELS_STATE = (
    "eJztXWtz2zbW/isYfVlnxs0ksp2k7s7OyLaSqOvIHltu+27VoSgSkvCaIlherGh3+98XAO"
    "8XUKQkUhSNT4lIHJB+AALn8pyD/3SWWIWa9bb/AnX72jEtbHYuwX86uryE5D9Zt09BRzaM"
    "8Ca9YMtTjbWHtKGkhC2nlm3Kik3uzWTNguSSCi3FRIaNsE4lvuIVuWUCGShYt5wlNAGeAX"
    "sBgYbnYCFbYI7tS0A6NteAdQ8MZ6ohawFV4BjAxmAyMbCFaIeTCX2oihXyVKTPK+h/rJ+Q"
    "n34DyYJ/TiZvWDdTCHXyH10lckQI2acA6exBBAHdIiCQDshv2QZL/EIbkVsuUm/pWzs6+t"
    "OBko3nkNyhw/D7H+QyIh1+h5b/03iWZghqamyU2L/kJrsj2WuDXb1eyOZn1pZiMpUUrDlL"
    "PdreWNsLrAcCBDR6dQ51aMo2VCODpjua5o2xf8l9X3LBNh0YvKgaXlDhTHY0OvRU2n2H8F"
    "pHkoZ3I+mxP5KkTmpa+BKRkfQu0VEkgCLdthgGS/m7pEF9bi/Iz/fv3v3lPiiEwm1Gn/hL"
    "7+H6a+/hhLR6Qx+Jycx0p+3Qu9V17/3FOpFt2e2GgR+i7U+GNOJXaD7Q7WzMo1IJ3Mnfsg"
    "3u/oUQ+PAT81F+VxXsc/oGP/zY7Z6dfey+O/vw6eL848eLT+8+kbbsddO3PuYMzdXgy2A4"
    "ig8KvUBHIkTeMVSKjyTbaexvyB0bLWE2+nHJBP6qJ/rW/09Vo1Hld2BCWb3TtbX3/eVgPR"
    "p86z+Oet/u6eOWlvWnxvDrjfr0TpddXSeunnxIfDFBJ+DXwegroD/Bv+6GfQYvtuy5yZ4Y"
    "thv9q0PfSXZsLOl4JclqFCP/sv/2dKmbPUc+P3phKivPK9lUpdQd3MW8tulby+4yeUXW5T"
    "kbMwoufU1v3/tKlnMNqmz7y9oXY/cLbIwLt32xnbEHyJhGdg26yZiODmaY7Ga6u1ddgpWJ"
    "bJvsPBl7DdnnkG0BOJtBhexGFgZyanus4iFjPeiT4IDIzkp3uxVSIDghj9CgbNkA6wp8A2"
    "z5GfrC7BJvK/y942LHdigXTKR2/ii6QyK13Grttt+8TntbXXO3xxrXaf6OGRm6oipKRGQ/"
    "Wsqh1+e4nnJRSE+5yNFTLjw9JUQ5+CpSMD89DW6yYY7KJHB2HKS+pZJHiHYOuAzZM3c7i2"
    "5U7C+NA+qt1luoG3HJetSNWpeV49Q2PIgiygaDMTboMxl5O3Rit8CYbFx69niHQomxnhKp"
    "qr6f4Eq9H9DV3d1tbCyvBokNYfj07apPli82iKQRsiP7REM0u1s8n+codtHbBfQ6Dc+L6n"
    "QqXhKUXcXqtIBipZC1ZA5/AlGvg2xPJgBZwIJ2hkK35yeMdaqXkZb0N3Z7mTrWW9IeqaQV"
    "NlVoWq7TRJFpx7Qrf2MhDSi0FhNz3StEtRzrvjPGOmV3LNIGLPCKumEAGbQ1oAuj5T01eK"
    "9dHSVCDTykGtgkBeWgw7Ef9YThUEKl9tu3UZ/en98vxJfO4zS+Pz/eDbPx9dsn1T1ETNv/"
    "ArKAVeblO8xUpUjEFAEfzZNvvd+SQF/f3l0l5zTt4CoBOt2MdG+TLQp8VEaAvwP4WFEc09"
    "zK4kmICg/rMdk8Ub2v7MAnZfcw8t4rN8TWPZJxzvCk5w20Bf8sGb9Kim4VxGrW0NanFjfE"
    "6u0ZaISfod7JMHmDe6d59q5sIGJ5+c022bv8kdizEfdaLLju+/OP55/OPpwHMzS4kjcxN9"
    "tmh6UQHHprr96YYN+MtJCtRSmTLSbVOrrGh/MCQH845+JMb8VhNkw4Q9/LQBxKtHEqfygy"
    "k5MaSWQif0gCrBAteDsKRlxSGAhNURyLGAiabNmSY2017knZWgyEppjpTRroQhaCCV/Inr"
    "PNOMclxSg3eZTJ52hmOuK5enREoj72YsP16ZRRFwc4je5nbEI01/8J1wzkAXkjWVey9GjP"
    "JnvyujkycP/yZ49/NfyaTXkVmHTRSUX+dvIXQzdSfN17vO7d9Dt/HcZKZqhnWMj+aPCtY3"
    "/YhWF8VB/yaV7QcikjrYxBEQi0zlzrXhSx10grrj3B7iUsNtmyVph8smVt45RgC+237sVF"
    "IcQvchC/SCI+Iw+Wyvp7YkItRLoSp88U4TTGI/idsyR7zetDt9M5gK7c/22UH7gMVOXbu+"
    "EXv3kymhkHWn4hy7cpOWaplToutRXsDbNREqvHu/NPRZYP0oy/frCbcbRNrHHWjr7uLFOq"
    "bdxK9GSrmuSp3ZF07ageja8E5J3H0dNNfzi6BJ78WB8MH0cPT9eju4dLgCjsjmJTKlvv5t"
    "tgeAlkdYlYVOTwTjpkSZTi95IxSrk01phcjUxWf9COisgaW38ceyFBAysZGgxXA48LtSYn"
    "cEdNXLiaX7erWeR4tm3UeTmeqQCDhudI3zbCEBUWzufmDHX6C6cj8G+sl+MuR2RqtI+eRt"
    "dVmUhVRMJLsIwiuovP6Mng3F55sp//+QA1mVO+IIM/dGQLK89fndiYNCyrO4L0xDppK0QK"
    "dkwL7gjRNeukrRBBnVjA2hJSmZ1g6gcdtRUqN7FsN5TuaB9tBWiGTWcpLR0bWtKcWO1ZFW"
    "lKYPWZdveN9PYK8BJIFUCKKn47InWPjznxpghI9oJaZTvCNGKdtBuovcH00HqoLGcaPGIv"
    "kD1GOmwrdDq20czLQN8RtGGkq9cAl6SiOdx5rY+idsM6fBXYUQI5NKGu7KpVRPG7DzptE4"
    "ZVkrauNDztZJC22PXTPNLWEqpIlqZ+u4NQt6yF3L34UMYjFkq0jme0r7QQPqnLQv/Oio3m"
    "pD/6Em0iv9ZcvVPE8/gDcpyRHV48bys/dL3+1WbGd+rdMj2wspjOAYw5XOewTZVb5u8dvN"
    "JdH15kGSCNfu/4W7Zly7ZjucVABTG6LmL04VWWQy/aFeeyzhDpvCxNNyLTQpAr4UMLZfAA"
    "yqAKFU2m9YIYeCVmeEqwBXTpGiY5eaJNK+mVhTsp10KWdBVwP5M/rQzMfvv2wbt/drOn7m"
    "Wiu5mAHkrXR0E3TKxAy6KglcO8c/9wd91/fBwMv1yCsJex/tDv3fzfJa3dr67pr5/716P+"
    "Db3w/1AhLz/WP/cGt/RKWJr48CNHXtfKOjeF/12EEi38Mt4VzTnKTTpKZR2tkGqX4aEH7S"
    "uq6HUIbWZvJPQFRPNFhsOKi2YoIOBMw2nI86wwCb/qnN9egJmhQzumG4KyIHlSluvss4Zl"
    "DrJZwgmQZ1T6+GDOwfDm7unqtg/uH/rXg8eBV0E18Jaym8yhFKT6kH32lot6jh6yCfPdlJ"
    "CGAR7f1oqkHPLzDVPJhgvZkuyFs5zqmXn4uflsKVlxOkOZpDbbhksjixXAT2mLiIiENhEA"
    "e60BMJHQ1uZR9zHKS2jzjPXtSmonZEU6W3MGOv190yhkZi01vh4YEWmf/rf/QBgLAJcrVx"
    "cVaVOUpqp6dUGMPWE/ioJ1sYJ10WkVq1j3QJaRh8H1qJNaGvYAqk9hPK5VoSimkcWQA2kR"
    "9pCCX3ZOFiuceXgkSMcz7IlGsTMx/pZ10iKEqqRXedMpg14VTjQ+vUoJ21RLr4r4ohJHud"
    "ADlinPKtLCRAqUFJa9mrgVJrYSmB3dTt63kU3+sMRFhcygOTbX7vWwqBJzTQhW1wFYXe4w"
    "ldBlA4E20o0KBei6OfG5bjo8Z2nOvAzAfvvW0fy754XQPc9B9zyNrjMtPYWjMq1jE50Vms"
    "NnOXP4LONoxMibpYDmF7hMiLUA6zxHRhWFLiOvKdkE5y3RD2TFEJQegkBnKbHCRGXqox25"
    "fWr1rDMXRZaZC/4qc5E+MkmelzoG1G9f/xGgnb/PHN09U3vqIM0miuxb+rx/HGDOV3IwqA"
    "ZfIKe07mbGXSBc38yXtbKzvnPV/zIYDvsPl2AK50gn70Qrvo76D9/6N4PeqE9rvtrQZMmi"
    "NqRVX3/pDa8pw05WX+jfrZJrt7fkp/fsg7PtNFmfO8Q0LbNQRWXqGy63cs3RUROi1nAKYz"
    "6lKS5VlXc6hfLRRMnpOcK6Um5/jcjUWR7w8aYmJb6ICs9X4FPqu89DWiI9uxoSd/ZmiYop"
    "fPQMddWUZ6VLpN889D6PLgGTHev3T1e3g8evdEcMHIlkSyRzcPAL2yZNZYFemkJFZ/ECCS"
    "3JXlf22IAM0fZFcas6O8ANQ3gu4uLLTlJMkMuSa07K/14c3CxRsaYL8l7LaVyCvPcaR70Q"
    "eS8RCC1F3kvI1kLeqzOIc7zjnP68PVWuTCA5KiKSktL7ZBjEL4drSk7Q9jbT9uKMCcHdy+"
    "OZpSZYAQIf+9j3AW3LylIlsY0uijuQ+Gx5Lpl4tRca30iet2gyH5DKd5QQiWMWCkNFTH5j"
    "59l0zTppK0TiJApxsoI4NKB6oKpnY1OtgEvI9lSGTZxsyfbabeJld+50CIg+AwxoghNX+B"
    "QQ6TeXYLWQbWAvIJhMyIXJBMyQZpNmjgWtU7BC9gLIOmAD9DYZMdlnvxkM8d8j3HP6p/6R"
    "oIwLQnathGy5FFvYa15b5LC2gFQhsnAOVzhNFfa+5pLen4iM8FBs9lCES8mOJnTrjoU7Td"
    "nQkakVM6Kve4/XvZt+ng1d5c7pWYoZ22ZoQ/L3TC1sU20eUzjTDGwh1qXIHRK5Q63KHRJ5"
    "F4ci/W8sn7uZ17WXUrrbDYOf7lGG3UWBIesTkRzrvwxu+neX4AWpEI/1z4Pb/iU1LGDSMj"
    "kACXeK1QyqKP9b8NuLj6D0R8CGvyxbLiYkeHJFeXKBDlNcTYmKCNMkr15ms2nPx8tBRBY9"
    "De8FwVWGZzOvUGNcUFRpLFGlUfAS+dP7OBlqgpf4Gke9CC9Rtixol3NYRkUEXS1j+RROYO"
    "EEPioncGpB2AOubeenRVfBHfhphonpar4X5tV9pK+WTOZK4/cRIlZGJCJO0+JHI2C8XaEI"
    "vuGGz00g6yrwo+1Qn2FTgSqYrlm4nTrFp7IFfwIK/dQ0jQAIniE0LHbbxKvsMP4+O8+M5T"
    "seq9dbg5PB/GjcRFRcO0TU5PiShckXg178VynsT+5djwa/9C+BKz3Wr+++3d/22alVCl4a"
    "dEVWyVVaVOOWnVzlzfWmZAxb5DtRtnb+h9I1Op5nJiw9TJ8f+tS5TyTH+n1vQLO5ZUQTuW"
    "++DYa02MkS6Q1w+/tbsUQWUAWWSnfNEhW+vLRh5H2TEpdunmMgZcgKiJMQM1pxybrmERFh"
    "zvOy4LdyjCVEhWesKZ6xIv7QcMXZwg+ekBXHbTTHBSo83+3/vot4voWbtordkvoGymEakR"
    "CIbnZ8+84XkZmd552NTKrNLm8RS6iFUJ6q2CV834fzfSdQ4zLxo7huYuTHBrS4Izx0oDOP"
    "tdsX32PNd3pv01Gmgzvu0vfSDUTO2iFd2oFFlbFY5NHAYnKCBVaGBSbs31di//osX/6h7x"
    "sJwjlHvguvbEeTLZsgBPUtPqWkrHAyNPjbyikaU84oTskJ0zjru3LVzlLIxmQEqpsdDnFl"
    "eEcLuZW1j04TVnLq493sgghTmncEuHU1uJLgxr7fJuW0e/WqskvBGJty2pWwzUbDuQdUZL"
    "Gy2kAhPQE8A5iYwK5z5icwmdCr0jNcTybghFq8rJVCTN4Z1lSovgHIAu64M7vZFUzb1RU+"
    "Z0ONGL9jYXQf2OhWSyXf++1bmHu//yPogzleEmBfRoBcAGSPjyXh2ayMVRuXEqyYtOotL+"
    "m+QBGi+atZxYKv0JyfQpQh3SKUf+x2z84+dt+dffh0cf7x48WndwHc6Vt5uF8NvlDoY9P9"
    "mI+3qm0l2fPpVvC7gUxobUMBi0kKP2hzfDVpPyidQSZU4ZKhUMYNmiHZouVsb5sGhQgus2"
    "I4XGSjIsKxLDL12+5UFpn6r3HUBV+xIc5uQQWrmQpWZx38hmlXB+F9uVhlOKkDEPk+ahw0"
    "KcbtckxlIVsJvzGHvsVvW6RQa5CRHGo1pI1IRD60A7npicjp771jQF2lkJVDvHPfH94Mhl"
    "8ugScfz3T93Buw/OOZjDSaktz/7X7wQC+47gFy5aH/+Wl4Qy+ZcOaQF2xIirLnqdvex7eb"
    "f69pu+NhHHwasmzJMJECtxmILGkxGFsPhh8T3WYo0rKt8WkIn3fLfN4uI0EqHwOOibWvPG"
    "8FQUoT05LGGWsJH+aoTAvn8v4VGR8wyYKWhTiswc14J8T3Mr0PawLEa09fXBQAnrTiV56m"
    "9zjQG/KaS4UtAH1cvKKVpWXYKwuoPGPHLltjPSnXvnW8qjLrDYoVN22NP15vfDoII0Jv/O"
    "/sOIMwIvT2Gke9SOiNOvG2GPKImCD+NGd401+165bdYoRjgmKMmzzGvlt9i1FOiIpxbv44"
    "S2Qzykyo4ls8KcH2mTwXhQ4QvMg5QPAifYBgYJ57AG5p3Mek2wd9Nca962stSwkyeO4rQV"
    "K9FDwrUReuuYiKunA7stZ4deHCQztEYbj9sgG5yBp7yXcPc6uPa9cqAWy4XceAJW8Ahk+3"
    "t4fKd793ozG/wukC4+dOBqUw0eI0j1vox3ZWkcYFEuF99RHAF1b2zTA0BFWAyZy5BMi2AF"
    "ITSei+RFa6+469ZSa1RwO1rFs6ljultecRTFpGTKyFVMKnL4rAfA2B+eCjKAFyVKaFIFdi"
    "LDKASmDst28hvu8L+UHe5/hB3qf9ICZUIHrZ0sEYE60nOFTrcn6csSFeRDBlhh1GAyPKsr"
    "P85jB1MKV8hTdz9a4ZbSYt/XYFVC52tNxqgcFSXgM6rkD20jX+ZgHWHZg6NtCxDVYmsiFA"
    "OtGdiNJkIw1MJuzfySRL/dpjzxvqCzFjWdQWOmRqCBut0kF0X6iF8fMjWRMFOUZshYIc80"
    "pGvQg5RsRL9rddRrQ4h34P03U5XBNSAlkRiRI1FBrt3N9UQyE5c0WIb69HP/kLpoB1E6yJ"
    "raVJlZfviULTyYo/0eunm70fht+ugPfDhIa2po4HGdgLqtSdAmySH+51GwPLURbB7xNay0"
    "KDL1B78xb0gIuYCugDAZlPawukT76u5CFj3dBkBYIVIlPXsVkwa4rVdeEKG+570NY0fEVr"
    "axCdcOHmMHv3RG2NWh0ohmyWPlYiJiPIX2nlkH4TaTxH8DsHUL99GwiLeTZp/7dRzBz1Iy"
    "En33q/vYmZpLd3wy9+80jk5Pr27ioDa8km0JYFPBCqsSxMpyWgC88cfy05Th9NEc8cVNF2"
    "gx4TFIkPzXHDpcfY0/u2GOS4pBjlJo+yq3WX0/piMsKDlaH2uRZMOVRjMgLVzX7B0ITc0d"
    "MyCjo6MoCL+lpiU2uzEyu0xIULKw/W2DrYJAeWN6EzXFjhVN/kxAq/rqIHiDmskJHrZorT"
    "bKJuJLdf8AyhYTG3kYlX4GQyCZWGyeQNPW87w49VwVPGOrLAnHq8ZiZeUqK2uSbXrRWfg5"
    "3yZYUBCgPpultpkx2zSkBDL8hee5qQ7+mKnEvGrS/rfYPCB1arD8xGtlaO1OoLtJDV2i3E"
    "au3msFq7aVZrrQ6xpuErPGKvwCMW7gGJNBuMNSjrHEd6IJRAfEqkqoI8uFIv6ld3d7cx1K"
    "8GSVifvl31H07esyEgjZCrVWUUMsbKc2msQyGBdQmsWXBQYuWGS2geCanWlCfe38GHTNcs"
    "jWtSTACbWhsyNPAyXsws+RZGKdrkzBTBKP7XJYJRIhjVyCEWwSgxyiIYJQpQHQGqgqReP0"
    "ldBKNqCEZFvFdkSd/x+ESfJt0SoBNOEFndER43BPfQrohzDCTLmQad7wWsx0iHbQKt+hjw"
    "Q24c+KFULFgqHhD+ilfkFk0xYDUYFrLl119wu7r0Aq0sp8AxaArCZMIcLuxB9DJZybKqOu"
    "y158yqDn5WVDQLQVR1OFBANjVyJTDOlBV+0rRfX96uxpDcYndZm6xqQUas4rMRad+iAHED"
    "zL5S2cmCMbtHxuwhqZ0xg4ir3ifNpk1qvpVsX7B6298soCwwUiDVtmdY04iO7uvjlHTpsj"
    "MZE2AyoeXW0AwpzPCz3rwFowVk7Ew3tXi1gFkZzFU8ZqwTpX9NLmDD64487hRYmPQp28yC"
    "IBeAPCfzBKgYWqxSnPdgZLs3iJVBekEmWCFrsbVREc2H9kZhCkUGdM3GRgT5FLi5jKK4YI"
    "2sIh/9oyUViRJf/Nl+nBH7DJMk5SAUFsn+ljNhkQiLpFGqs7BIXpdFMowo2p0MWyR2P9cK"
    "0ZMtN9ofdzoxBhZMS3fjAcgixoGmAnmKHfuUZokRHZwevEENBKRL5H9e4heYrsFSRhq9Qf"
    "8ll9PRhgr6L5JQ5i80bof0f763lWWJBcbE2q2oPzexY0jPcO3epk9jTwqKUoujQBp3FIg/"
    "doUTzdatPT3hvEia2Tk/y+w8lWQm0vhEGt+BgkNVZJQ5ZkZhe/5k9pq3AuoazpulS3Qa3p"
    "8f74YcQrHXPulyQIoN/gs0VB35qfP3maMrFEIwdZBmI916Sx/7j079E53ikz/Rk3P6NO5G"
    "oB0kJ3qoyJSY7jGhNtTNq+FsoVCxLOHlDIWEh7O4h9PXxtPTua87y5R1G0Pcl60xC1vHOi"
    "y5nHSGd8M+AZlIjvX7/vBmMPxyCQyoqwT9sX4z+NJ/HF0CFc2hZY/1x/6Q/LKgazmU/Rw+"
    "FfgYPnE/hU+pxZ+9VJnlJpRo31qzZ3BFOh4f9+N07hdJx2sEn6xhn9mRDG8hOhndlLb6qG"
    "OCYoybPMYilCRCSQ2IeWwMJR0+4nHjqoMb4h43gdJYLPohhVpmsep7tDVwF1haDA/QgnYs"
    "YEEjEQY0EVbByZgss0hbX3bfdT/88L77w7uzMXnCuLOC8Nm//Ov5j+POm0sa1khFQ6p60F"
    "gPT0Cn8kv5GdKqfeyg9FOwWiBlQbM66OnoCrQseniFCW1zDebQtmgPJgQzZFr2ZgKW+whx"
    "YPpxREm80UqNQM5x6YFEC/2f3fMinvxzviP/PGmixViSJbb7lJzIq0ml3Qvr9xVav9Svtc"
    "WQR8SEZSQso0Z/vMIyEpZRAcvo3oQzopjTUdpgHUVaFreQjLhQ6VQV33ih8+an4Bw7meWI"
    "UE4XvU5aeyMMFpj8/WmC2N56zc8aoXNbJKIftDK44GtVx9c6nnD0YbSkPYajIT8enQ0zrD"
    "8IXR+3oluEWtHlMyu6yZks8pn40B+n0Vckn0kYBcIoEEYBzyhwKxreyOtOhh0Q3sxV/Unf"
    "2tpGiiV55QNVT6JQikh4ThCaO+SzB3jGtHTSCTh5Gl1zMj+KiWVq7rEih/Rd0xnfwVURd2"
    "hc3EGUTN3Xoh5nWmcQe6lWxCNaZ1F6Y6rQEYKagxhVZZLqum5iTVtCPasoJ3cqJqREbCYV"
    "m6F6gqaVDnul5AS06WrTS4MoHmWBjUsJWJOwGiamBosluXZiGWyzRAXAqXN46EkvUNKgbB"
    "IQyuCbISngTcLrVpjiVJfmQpuQErBm2skHNuse4AvUncwoT6rNaVkjTzIjkhuNvXsZqWCJ"
    "dIdWBZ45ZIBVlqRPLmETkBlgB0ac4pg0erQ+DWI27kMZkY08OG0S7rvzYoYjnUNeb8KIFE"
    "bk0dk7wog8uBEZrB8p3Phhn6hMCyM/ZwUCP2fcuM9ZMuwjL+k5jBLbCcotuUnJ1qg4NSy+"
    "jVKERtgmEPOVIO9+OQXIDoW2c3RbSFcgpdJP4VzWwQnVUdxP26aVUG1Y1PVdsKPN1Y24yk"
    "oN2+WR6C2VkViEN7FK18F26GYLC5CFX7Fev6LlLMtpLknJ1mBbi9koPGPt9Yz1g7X8M9Oe"
    "spTCVJuCimG4TxTTCn+lpewDcfCs41XgpQr7ugRUnzOgqZAfNOOSaW9U3bNsR0XQOmWeK8"
    "pgpqcqpVTGSp4y1inRgorQ21TRNKGCTRWqwF97ClfUjCmK4cnuLo/kD1o1M3nxNOTT8B1s"
    "4d9WTm9NyQndVXjTDrH9C+bi3hUqd3krE58NJcQ2noSTLv1r+sC0bpp7IkdETFSrK54ekL"
    "ELFvW0Z4ju6HU/njRWz+neEP3z1mUi8JXPeIOCmqfHbyimdo48HY5xZWW+Akfjp7K+9vyN"
    "rBoIMDTZJubNkl4k0AMoK4uUxrnvB4x1vwtadIT0SPo9BQu8YoVHlmEXrN7Imj2QG8Yt6v"
    "KsePd97Spjoxazpuk9R7SaWRbW8xazyP3CaxmVKbaU9YDbmgZDHF2H2mXEpLXcs+KwQQZf"
    "Jbaqb8GSawv5hQVMPBckuU2s4qwM4n13v8OC5L5KyWOWozJiUTpaO/b4QI5aCbJJ//bikE"
    "YkhNHFibWUAjQmIyBtkDv63lN3ORl40dsFt09fgS6ehTeKqN3ZCXVsU5NNyA5ZpVq65Szp"
    "fUY0cDXvv6V3zz32u8O22QxO2kG3zSKMNP6mKMj3bV18etBEyiJr3fHu5C85YZtNSwwf3B"
    "0+bFFKpwIN+IV8p94Jf0XZqBGRFpJRuxcXBeiopBW/sCe9lyAlZRXU4SOcXUqnDehWcoAO"
    "eaKdGeXhnxsVEan/6KjD7Px7OyTqoJvZX/8DBsdvYA=="
)
