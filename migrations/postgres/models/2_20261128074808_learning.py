from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "enrollment" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "source" VARCHAR(8) NOT NULL,
    "progress_percent" INT NOT NULL,
    "enrolled_at" TIMESTAMPTZ NOT NULL,
    "completed_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_enrollment_user_id_3805e7" UNIQUE ("user_id", "course_id")
);
CREATE INDEX IF NOT EXISTS "idx_enrollment_status_ab474d" ON "enrollment" ("status");
CREATE INDEX IF NOT EXISTS "idx_enrollment_course__9bd646" ON "enrollment" ("course_id", "status");
COMMENT ON COLUMN "enrollment"."status" IS 'ACTIVE: active\nCOMPLETED: completed\nCANCELLED: cancelled';
COMMENT ON COLUMN "enrollment"."source" IS 'FREE: free\nPAID: paid\nADMIN: admin';
COMMENT ON TABLE "enrollment" IS 'One per user and course, enforced by the database; cancelling keeps the row.';
        CREATE TABLE IF NOT EXISTS "lesson_progress" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "completed" BOOL NOT NULL,
    "completed_at" TIMESTAMPTZ,
    "position_seconds" INT NOT NULL,
    "last_seen_at" TIMESTAMPTZ NOT NULL,
    "enrollment_id" INT NOT NULL REFERENCES "enrollment" ("id") ON DELETE CASCADE,
    "lesson_id" INT NOT NULL REFERENCES "lesson" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_lesson_prog_enrollm_4544f4" UNIQUE ("enrollment_id", "lesson_id")
);
COMMENT ON TABLE "lesson_progress" IS 'One per enrollment and lesson, enforced by the database.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "enrollment";
        DROP TABLE IF EXISTS "lesson_progress";"""


MODELS_STATE = (
    "eJztXf9zmzgW/1cY/9TO5DpdN8l2fDc34zhk61vHzjgkt7NNh8og25pi4QXhNLPX//0kAQ"
    "bEF4NjY5vqp8SSnoCPnqT3Pu8J/m4tbBNa7rvuEmn2N4hbHeXvFgYLSP9J1Z0pLbBcRjWs"
    "gICJxRuDJdLJutnEJQ4wCK2YAsuFtMiEruGgJUE2uwj2LIsV2gZtiPAsKvIw+suDtKsZJH"
    "Po0IrPX2gxwib8Dt3w5/KbPkXQMhP3i0x2bV6uk5clL+tjcsMbsqtNdMO2vAWOGi9fyNzG"
    "69YIE1Y6gxg6gEDWPXE8dvvs7oJHDZ/Iv9OoiX+LMRkTToFnkdjjTvSorKXrw5Gm36uarr"
    "cqAGTYmIFLb9XlTz9jt/CP9i/nv55//HB5/pE24be5Lvn1h3/pCBhfkMMz1Fo/eD0gwG/B"
    "MY5A5X9TsPbmwMnGNWwvIEtvWUQ2xLEI2rAgwjbSpzrAXYDvugXxjMzpz1/evy+A8rE77n"
    "3qjt/QVm/ZJW06AfypMQyq2n4dwzvCl88ZfQ7ceRWUk1K7wfqwapxA+vK8BNCX57k4s6ok"
    "zEsHTtH3KhBHEk1U5csymnyZr8iXIsCGAxkYOiBpkK9pDUELmA10UlIA2wxE34X/nCL09A"
    "HNEbZegjlVAL3Wv1Xvte7tHbvcwnX/sjh+XU1lNW1e+iKUvhGHad2J8t++9klhP5U/R0OV"
    "w2u7ZObwK0bttD9b7J6AR2wd2886MGPTPywNUUuMugVconvuVuMuyu5g5INbPpaBP5GBDj"
    "EpHGkHruies804JyXlKB/zKNPp6OiV7OiYxGZj+hQW6x3Y08xDmX7LNKcZXGl0b2wHohn+"
    "Hb5wkPv0jgA2suzowCd7CLo5MXB/hNoTlkaz2QHPa5curlT02ekTQ+Jba937XvdabXGEJ8"
    "D49gwcU09AzWrsti2UrNumqxbthVgCMJhxcNhTsHuOo57hIYejke8dh8MuHeOTmshnBY4x"
    "XABkVXEo1gKNc9faF2X8Ndoq15/gdYLHBlz32aZTtqpvnBJsoP/WvrgohfhFAeIXIuJTem"
    "G9Kt+TEGog0nshfSbITmOswe85S3LQvD50W60D2MrqH1rCTA4RfHPb/eNtwlQejIa/hc1j"
    "iPcGoysBaLCiy7eje06llToptRXsR+ajCKvH+/OPZZYP2ix//eCVSbQd28pZO1TsLVKmbd"
    "JLDGT3peSp3ZF27ZnQt2sqQN661x6u1aHWUQL5J9wf3mvjh542GncUxGD3DGI7T7h7fdsf"
    "dhRgLhCPihyepEOuTo1PtMoYpSubDgDAOTZhXE4YoQkV3Nc6FA5avSvR1Wg0SKxEV31xqX"
    "m4vVIp9hx62gj57kloNMbWH4/Mdbi0jQwLJtcCTwrV51W/P2pLXFLNPzfV7C3NLUc9KSlH"
    "/VhGPYORDO5eCDBY9gzhbSMMcWFJPh/PUPszPEWV5jN7sV01zDVxM+yYQPbm9zG0AIczPf"
    "AZmS0nNuXzmNTkRml7jgtfCVKPd9JUiCCmjoe1gEzmVTCp646aBNU+2fRAsTL49Ejl8hl1"
    "I2qzT079M3UTAfH4tZfexELu3LckaLtEnYMMqBtcj4SqSMUowB5OiRJE6CMJhQZVnpntvP"
    "jlkVfJHQ6/1RfJ99fJ9/vDlMK1IEcrFGggK9ouxYq2C1jRdpoVdS1vVgXgsH3z4innpdA9"
    "L0D3PI2uN6mswnGZBrDPSZQ/lNLhDwU6/CGtw/E7SwGdz/ALYg3Aum6mf71hVlDvuEx9vL"
    "Pfp1WPkl+U0fGLfBW/SCcsg1mGqfyf+9EwZxsM2ou+NzKI8j+FGlR7M5hb/5p62GD4KRMP"
    "WYRaUe/Y9f59AJ1n+BTrvKjeZ0kHm3Ug6rwFVzAnsLU54LIWrk/zgVVV61tX6m/94VAdd5"
    "QJnCFM74nFWzR1fKte97uayiIuBDoLaCJ6syzm8tgd9tRrFnZZsec2adlgQH8G1z54DMYC"
    "eOZRj6jKQhWXqW+4fGJk/2tUmVhkfiAyFYWMu2IpjHPdIEFqX1GXFMonE3TxHAdio9r+Gp"
    "Op0aR5uL+uyYIsYz/mW48p29FzOMmkLxD2SBZvl6u9WaJShUUPaM2ubLNfxrie2lZg0wHT"
    "ygkK1+PujdZRuOwTvnu4GvTvP7Edcc1f0S2R6mD/kW+TjjFHK2gex+Zo2CuW+buge13VpJ"
    "0MUZm5UzZzx4KuS5Hy+cnyy44oJnMVxDUnRf6WBzdLVK7pMhek4VkBMhfkZxz1Mrkgifhb"
    "xXEXZWvJBKkzgnC645ye3lG4s9pZxJScPJG4+URiMrYszyUWnUtMKVjidOKYKv6439OKji"
    "cmeHTdsZ93kp2jgVmDUM/wTF6J0oB30lSIZA5TIVT7z2Fi0y83jSmYm5symXQStNuUzdQa"
    "YajQhUNZQkd54wufKVT6bUd5ngOikDlUvn6lBV+/KlNkEdrMc6F7pjwjMlcAVvgAvRMJn1"
    "32m5FX9TmWscUe9Ys8vHzIZCZQKdMmaF4b8Vkbn1Yq0aYgzyadZhPM5kpam5CRNutmmzVa"
    "Sl5przYuuVm0WBOqdUzv0ghMsoxtMzLW8vdMK2qz3+zfSNOok4t4lzLvVubdNirvVuYsHi"
    "pn0caEhXc4ZpkavjksLfZR4zAQqhpVg9MMGLo+Uckn/Ni/VkcdZYVMaD/hm/5A7TDHAm4T"
    "it5xDtHENjMyXQre0BG0l5Og8iTgw1812J8QkmH+smF+4LqQVPNN4iJbuSbHBvSOA9Brs7"
    "A8pHER6e1lYHoiiXCnm5WCXH3pwBWCzxmE8YYXwcQEa3wTzLrkZF8FIzNV8tX7NHMWZKbK"
    "zzjqZTJVJAm8q11LksCHJoHjB2tsNkd2Eou/i/XVENT3GmiOheYzKPNk4D6fNofJdqVCzU"
    "s/zusoAJtKGBaGeGo7BjSVyQuPCzP2dgJc+E/FYHPNsiiAyjcIly6vduzn7HjzLjvPDDqH"
    "L94OFgsx6hwn+OVrNQ5B75/eoZzoTZhViM9uT+s/qh3Fl37CvdHt3UDV2BEcw14s2YJs0l"
    "J2eHUw4KW+rh/LyRyXzhNja5Y6kq6RIZ06sPIw3YxVxkJTySd81+2zU1MAma9/l+vOz7j6"
    "26dOF1ADVjpWkiUqGZLscztbOW6CqPTcjsVzK+Ovr9fibXgaQVa+bfJ4XHTJzDR/fktm5l"
    "C7pfxsmPxs2BHwXBs/G5ZeCSR9WBt9GLwsQLKIh2MRBdRyk2/juG5Kwk0MaHlKMaIiOffn"
    "95XP/eXTh9t0lEkVJsnRIMNYHlM5JDm49qgyFouiNIWEnMxSqJKlIP3fn8T/DbPQdBfSpz"
    "QrvSsvQ1RSiOJU4l8fcSHc+sslMVlJMhzx3Co4kF3NKU7JSdc4a175ZmclZBMyEtXNhEPS"
    "GH6lh9zI9wqcCV5yavJupiCiU4yvBLhx77cQwU3M32M6xtqFDjLmrQxPOqg5K/KgQdRGfh"
    "j+lFbOswKndQUdN/NASMFxpkikiYdW9/GxcjapKiAcNG8gunv5QHlwqjSNcP53HmIi9X/q"
    "4TA+/84+6pAyxOrczH78HzU0eIM="
)
