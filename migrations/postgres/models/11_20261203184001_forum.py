from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "forum_mute" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "until" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE,
    "muted_by_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_forum_mute_course__62c459" UNIQUE ("course_id", "user_id")
);
COMMENT ON TABLE "forum_mute" IS 'A user who may read a course''s forum but not write in it until ``until``.';
        CREATE TABLE IF NOT EXISTS "forum_thread" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "title" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "body_text" TEXT NOT NULL,
    "pinned" BOOL NOT NULL,
    "locked" BOOL NOT NULL,
    "reply_count" INT NOT NULL,
    "answer_count" INT NOT NULL,
    "last_activity_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "edited_at" TIMESTAMPTZ,
    "deleted_at" TIMESTAMPTZ,
    "author_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "course_id" INT NOT NULL REFERENCES "course" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_forum_threa_course__379515" ON "forum_thread" ("course_id", "pinned", "last_activity_at", "id");
CREATE INDEX IF NOT EXISTS "idx_forum_threa_course__410f4b" ON "forum_thread" ("course_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_forum_threa_course__5ad22f" ON "forum_thread" ("course_id", "author_id");
COMMENT ON TABLE "forum_thread" IS 'A discussion in a course''s forum. A deleted thread keeps its row (``deleted_at``) and';
        CREATE TABLE IF NOT EXISTS "forum_post" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "parent_id" INT,
    "body" TEXT,
    "body_text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "edited_at" TIMESTAMPTZ,
    "deleted_at" TIMESTAMPTZ,
    "author_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "thread_id" INT NOT NULL REFERENCES "forum_thread" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_forum_post_thread__29b711" ON "forum_post" ("thread_id", "id");
CREATE INDEX IF NOT EXISTS "idx_forum_post_author__fd13a2" ON "forum_post" ("author_id", "thread_id");
COMMENT ON TABLE "forum_post" IS 'A reply in a thread, or a reply to such a reply (one level). A deleted post stays in';
        CREATE TABLE IF NOT EXISTS "forum_thread_read" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "last_read_post_id" INT NOT NULL,
    "read_at" TIMESTAMPTZ NOT NULL,
    "thread_id" INT NOT NULL REFERENCES "forum_thread" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_forum_threa_user_id_61b814" UNIQUE ("user_id", "thread_id")
);
COMMENT ON TABLE "forum_thread_read" IS 'How far a user has read a thread: every post up to ``last_read_post_id``.';
        CREATE TABLE IF NOT EXISTS "forum_subscription" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "subscribed" BOOL NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "thread_id" INT NOT NULL REFERENCES "forum_thread" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_forum_subsc_user_id_1382ef" UNIQUE ("user_id", "thread_id")
);
CREATE INDEX IF NOT EXISTS "idx_forum_subsc_thread__9735df" ON "forum_subscription" ("thread_id", "subscribed");
COMMENT ON TABLE "forum_subscription" IS 'A user''s choice to follow a thread (``forum.reply`` notifications). The row stays when';
-- Written by hand: forum search (ocp/forum/search.py) matches these expressions.
CREATE INDEX IF NOT EXISTS "idx_forum_thread_search" ON "forum_thread"
    USING GIN (to_tsvector('english', "title" || ' ' || "body_text"));
CREATE INDEX IF NOT EXISTS "idx_forum_post_search" ON "forum_post"
    USING GIN (to_tsvector('english', "body_text"));"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "forum_thread_read";
        DROP TABLE IF EXISTS "forum_subscription";
        DROP TABLE IF EXISTS "forum_post";
        DROP TABLE IF EXISTS "forum_thread";
        DROP TABLE IF EXISTS "forum_mute";"""


MODELS_STATE = (
    "eJztXWtz4jgW/Ssqvmy6KtOVJiHdw2xtFUlID7MJpAiZmd1hyhhbgDbG8voRmt3t/76S/H"
    "5i8zDG0afu2LqyOVeS7+Nc6b+NJZahYnz8WVRlBcrdN6iajTb4b0MVl5D8J/H+OWiImubf"
    "pRdMcaowAUibCAu7PWs6NUxdlGi3M1ExILkkQ0PSkWYirFKRDtAhaUD+AuZCNMFCNIBuqW"
    "CGdSCqgPXYBisdmSZUAaKtICB9qoYjhWcAmQaAsxmUzHNgYCDSJ8tYIo9G6vxQDxmrXp8E"
    "B/QGdSgDc4UkCM7IIxQoGibAqgQ/AFN8ha4wu/SRvqGlon9bUDDxHJLH6eQ9//ijYWOn0/"
    "s2mEhu/Pkn+QupMvwGDdqK/qm9CjMEFTmkL8QwZ9cFc62xazdo3lPNe9aWwjIVJKxYS9Vv"
    "r63NBVY9AWQreQ5VqIsmpE8wdYtqTrUUxdG0q0z7N/hN7LcMyMhwJloK1T+Vtl/Av9YQhP"
    "5gJDx3R4LQiI0NVyKgSeeShFU6rsirGgyAOX2FH35sNi8vPzcvLq+/tK4+f259ufhC2rL3"
    "jd/6/N1+GR8tuyuGWe9rrz+iL4TJ4LWHNr3wncmIpmhLMWX46AdUF1bB7ULUkxUQEIlogf"
    "y8qBZczLPU4F7w9eBPuzIUsRS/CQpU5+aC/PmpdZEB8q+d4e3PneEZafUhDHXfudW071HU"
    "fZS9WRGD+eWld5cMc1AmgrNlIfkjlTxBtDPAZcheXjNgNWyYc53dZBhFAHVWa0E045DeET"
    "BMtIRZo9eVjAArO6If3f/sB+BSlxWywMsDVVk7z83Ae9R77D6POo9P9HFLw/i3wuDrjLr0"
    "TpNdXUeunl1Hxr3XCfitN/oZ0D/BPwf9blSJXrvRPxv0nUTLxIKKV4IoByByr7owhpQ+E5"
    "HzhY58LTAmHy41Wd++UETXUyJ1qPnjXSl3At0MBg8hXd70Ih+E/svjTZcsX0yJpBEyA98J"
    "+omevQY+E/TCVJReV6IuC7E7uInT2sZvLZvL6BVRFecMP/o76a9yLLcHPJ9nGHbB2znsOg"
    "XP89p0Ml4SlG3D6jyHYSWRtWQOfwKTiWZNFWQs2LIymQBkAAOaCQbdnp8wVqldRlrSv7Hd"
    "y9QyPpL2SCatsC5D3QBMVhJpx7Qr98NCGlBoDSbGLlLTcqzS8WYtieA5u2OQNmCBV6SFDo"
    "jS1oAujIbzVO+90qxDbgaeghlYJQPlqOrYj3nCcChgUrvt62hPX+Sypy8y7OmLmD1Nx3Ec"
    "31+eB/1kfN32UXMPEdf2f4AsYLFl4wRwzoCVIhEyBFw0zx47v0eBvn0Y3ETHNO3gJgI6/R"
    "ipzkc2L/BBGQ7+DuBjSbJ0fSuPJyJajstT7opTX58naPcVVXxUdg+ad165Ir7uiejZBSmm"
    "6Io4XB0NjfArVBsJ3pZ37zzL1RI1RIx+t9kmVytdv3v2H96L89D8dPX56svl9ZXnM3hXsl"
    "yFzW4B+7eAHeu253ZsPjuWzRlhIRqLQt5CSGo/WB93GIeQvr7KAfT1VSrO9FYYZk2HM/St"
    "CMS+RB2H8nWekRz9GAYG8nUUYIkYYOZWNkpYktumVbFZ8timimiYgmVspfeobCm2aVU8xC"
    "opOtU4DWpah2/km7ONnsOSXMtV1jKZjnpiDDjVjg5IbDamT2Gx3oM9HXPqwgDH0b3HOkRz"
    "9e9wzUDukTcSVSnJjnZ8shenmxMD97s7etyr/mzWxZXn0gUHFfnt5BdDO0l523m+7dx1G9"
    "+P4yUz1BM8ZFcb6d6xq3buGJ/URD7PypctRaQUcSg8gdq5a81WHn+NtEr1J9i9iMcmGsYK"
    "kylb1DeOCdbQf2u2WrkQb2Ug3ooiPiMPForGe0JCNUT6IEGfKcJxjEfwW8qS7DQvD91G4w"
    "i2cvf3UXbOzDOVHwb9r27zaCItDLT4RpZvXbD0Qit1WGor2Cvmo0RWj4urL3mWD9Isff1g"
    "N8No61hJWTu6qrWMmbZhL9GRPdQgj30dSdeW7DDICkDeeB693HX7ozZw5Mdqr/88Gr7cjg"
    "bDNkAUdksyKYuqc/fY67eBKC8Ry4ocP0iHDIGyy94StJTJoAzJlUiidJV2UhzK0PpjmQsB"
    "alhKsGBSLfCwUHle9UWlLXEean7foWZLk7fUeliSa70qWk+ISDpvH0kwKHiO1G0zDEFhHn"
    "yujqrjM5xq4D9YLUabDciU6B+9jG4P5SIdIhNegGUUsF1cRk8C3fPGkb3/+xAqrKwgPVYd"
    "5A+d2MKaFq+OfJgULMo7gvTCOqkrRBK2dAPuCNEt66SuEEGVeMDKElKZnWDqeh3VFSq7pm"
    "k3lAa0j7oCNMO6tRSWlgkNYU68dnU3rO5pd4+kt3eAF0cqB1LU8NsRqSd8yjUfeUAyF9Qr"
    "2xGmEeuk3kDtDaZh7aEyrKn3iL1A9hzosK7QqdhEM6f4eUfQ+oGu3gNcgozmcOe1PojaHe"
    "vwXWBHCeRQh6q0q1URxO/J67ROGB6StHWj4GkjgbTFrp9nkbaWUEaiMHXbHYW6ZSzEZuu6"
    "SETMl6gdz2hfZSHppC4D/ScpN5qxCYUrUSfyayk7UfB8Xn0zO2n5vK3i0OXGV6uZ3yn3k+"
    "mAlcR09mDM4Dr7bQ75yfyjgVeqHcMLLAOk0R8N95NtmKJpGfY+lJwYXRYx+vgmy7EX7QPX"
    "ss4Q6bwoTTcgU0OQD8KH5sbgEYxBGUqKSLeqYeAVGOExwRrQpUsY5OSJJt3ErSjcUbkasq"
    "QPAfcr+WlFYHbb1w/e/bObHXMvEd3NBHRfujwKuqZjCRoGBa0Y5o2n4eC2+/zc639tA7+X"
    "sTrsdu7+0abbxstr+tcv3dtR945e+BeUyMuP1ftO74Fe8XfFPb7myOsaOCFLnT4vfIkazo"
    "yLvDVHmUVHsaqjFZLNIjx0r/1W5kzVIN4zCX0B0XyRELBKRdMX4HDG4dTEeVKaJBVNrz0H"
    "M8GGtnQ7BWVA8qSk0Nm9gsUUZJOEIyDPqPTpwZyB4d3g5eahC56G3dvec8/ZvNOLlrKbLK"
    "DklfqQ7+xDKuoZdsgmzHczQioGePizlqfkML3eMFZsuBANwVxYy6maWIefWc8Wk+UHAxQp"
    "ajNNuNSSWAHpJW0BEV7QxhNg7zUBxgva6qx1F6OsgjbHWd9uN+eILC9nq46i4/ObZiET91"
    "JLtwMDIvWz//afCGMJ4GLb1QVF6pSlOdR+dV6OPeI/8g3rQhvWBYdVaMe6IVlGhr3bUSO2"
    "NOwBVJfCeFqrQl5MA4thCqR52EMSftu5WCx35eGJIB2usCcWxc7E+AfWSY0QOiS9yhlOCf"
    "Qqf6Cl06skv81h6VWBWFTkFBF6ti/lWQVa6EiCgsSqVyO3/MJWArOlmtH7JjLJD4tclMgI"
    "mmN9bV/3N1VioQnO6joCq8tWUwFb1hOoI90oV4KumZGfa8bTc4ZizYsA7LavHc2/eZUL3a"
    "sMdK/i6FrTwkM4KFM7NtFlrjF8mTGGLxNO5Qu8WQzo9A0uI2I1wDorkHGIjS4DrymYBOct"
    "0fdkuQoKq8CzWQqsMEGZ8mhHdp9KOetMK88y00pfZVrxI5PEeaETKN325Z8+2fjrzFLt45"
    "ynFlJMYsh+pM/72xHG/EHOpFTgG0zZWncz484TLm/ki0rRUd+46X7t9fvdYRtM4Ryp5J3o"
    "jq+j7vCxe9frjLp0z1cT6qxY1IR019dfO/1byrAT5Tf6u2Vy7eGB/Ok8++hsO0VU5xZxTY"
    "ssVEGZ8tRl71xzctSEoDccwzid0hSWOlR0OobyyWTJ6RG2qlTs+xqQKXN7wOe7koz4PCZ8"
    "ugEfM99dHtISqcm7IaWO3iRRPoRPnqEu6+Ks8Bbpd8PO/agNmOxYfXq5eeg9/0y/iF4gkX"
    "wSyRjs/co+k7q0QG9VoaKzfIGAluRbV/TYgATR+mVxD3V2gJ2GcELE+ZedqBgnl0XXnFj8"
    "PT+4SaJ8TefkvZrTuDh57z1qPRd5L5IILUTei8iWQt4rM4lzunqOT2/HlCuSSA6K8KKk+H"
    "fST+IXwzUmx2l7m2l7YcYE5+5l8cxiAywHgY9N9n1AW7NtqaLYBhfFHUh8pjgXdLzaC41v"
    "JM5rNJiPSOU7SYj4MQu5oSIuv7bzaLplndQVIn4SBT9ZgR8acHigDs/GplZBKiHbMRk2cb"
    "IF02m3iZfdGKgQEHsGaFAHZ7bwOSDSH9pgtRBNYC4gmEzIhckEzJBikmaWAY1zsELmAogq"
    "YAr6GM2Y7LPfBIb4HwHuOf2pf0Yo45yQXSohWyzEFnaal5Y5LC0hlYssnMEVjlOFndlcMP"
    "oTkOERis0RCn8p2dGFrt2xcOcxHzowtEJO9G3n+bZz183yoQ/55XQ8xYTPpu9Dpn8zFb/N"
    "YeuY/JGmYQOxLnntEK8dqlXtEK+7OBbpf+P2uZt5XXvZSnc7NbjlHkXYXRQYsj4RybH6a+"
    "+uO2iDNyRDPFbvew/dNnUsYNQzOQIJd4rlBKpo+lxw2/NJUHgSMPUXZcuFhDhPLi9PzrNh"
    "8pspQRHummTtl1lt2vPpchCRQU/De0NwlRDZzNqoMSzId2kssEsj5yWmD+/TZKhxXuJ71H"
    "oeXqJoGNAsFrAMinC6WsLyyYPAPAh8UkHg2IKwB1zrzk8LroI78NM0HdPVfC/Mq6dAXzUZ"
    "zAfN3weIWAmZiDBNKz0bAcPtcmXwNTt9rgNRlYGbbYfqDOsSlMF0zdLtNCg+FQ34E5DoVF"
    "MUAiB4hVAz2G0dr5LT+PvsPDGXbzmsXmcNjibzg3kTvuPaMbImp1csTGYMenNfJXc8uXM7"
    "6v3abQNbeqzeDh6fHrrs1CoJLzW6IsvkKt1U44GdXOWM9apUDBtknkhbB/996RIDzzMdFl"
    "bT/bBLg/tEcqw+dXq0mltEtJD77rHXp5udLJFagbC/+ykWyAIqwULlrkmiPJYXd4ycOSmk"
    "0s0zHKQEWQ5xFGJGKy64r3lAhLvzaVXwWwXGIqI8MlaVyFieeKi/4mwRB4/I8uM2qhMC5Z"
    "Hv+s/vPJFvHqY9xNeSxgaKYRqQ4IhuDny7wRdemZ0VnQ0Mqs0hb55LKIVQHtuxi8e+jxf7"
    "jqCWysQP4rqJkR9SaP5AuB9AZxFru6/0iHV60HubjhID3OGQvlNuwGvWjhnS9jyqhMUiiw"
    "YWkuMssCIsMO7/vhP/12X5ph/6vpEgnHHkO4/KNhTRMAlCUN1iKkVleZChwnMrY9OYYk5x"
    "TI67xknzyjY7CyEbkuGobg44hI3hHT3kWu59dB7xkmOTd3MIwi9p3hHg2u3BFQU3NH+rVN"
    "Pu7FeVvBWMtqmmXfLbbHScO0BGBttWG0ikJ4BnABMX2A7O/AQmE3pVeIXryQScUY+XtZKI"
    "yzvDigzlDwAZwNY785ttwbhffcDnbNgjxu2YO91HdrrlQsX3bvsa1t7v/wh6b4wXBNiV4S"
    "DnANnhYwl4Nivi1YalOCsmbnqLS/pdoAjR+tWkzYJv0Dy9hChBukYo/9hsXl5+bl5cXn9p"
    "XX3+3Ppy4cEdv5WF+03vK4U+NNxP+Xir0laSPZ9uBb9pSIfGNhSwkCSPg1YnVhOPg9IRpE"
    "MZLhkKRcKgCZI1Ws729tGgEMFlUg4nFdmgCA8s80r9ugeVeaX+e9Q65ytWJNjNqWAlU8HK"
    "3Ae/YtbVUXhfNlYJQWoPxPQYNfaa5ON2Wbq0EI1I3DiFvpXeNs9GrV5Fsm/VkDa8EPnYAe"
    "SqFyLH53tDg6pMISuGeOOp27/r9b+2gSMfrnS97/RY/fFMRAotSe7+/tQb0gt2eIBcGXbv"
    "X/p39JIOZxZ5wYqUKDuRuu1jfLvF96r2dTxOgE9BhiloOpLgNopIkubK2FoZbk50G1XEZW"
    "sT0+Ax75rFvG1GglA8BxwSq9/2vAdIUuqYbmmcsJakwxyUqeFY3r8h4wImGNAwUAprcDPe"
    "EfG9DO/jugDhvadbrRzAk1bpO0/TeynQa+I6lQqbA/qw+IFWlpphLy2g9Iots+ge61G5+q"
    "3jh9pmvUK54qqt8acbjY8nYXjqLX2enWYShqfe3qPW86TeaBBvC5UHxDjxpzrqjc9qOyy7"
    "hYZDglzHVdaxG1bfQssRUa7n6utZIB+jxIKqdI8nJlg/l6eV6wDBVsYBgq34AYKee+4AuK"
    "VzH5KuH/SHce7tWGtRSpCWFr7iJNU251nxfeGqiyjfF25H1lravnD+oR18Y7j9sgFTkdX2"
    "Uu/u11af1lerALD+5zoELHkD0H95eDhWvfuTnY35DU4XGL82EiiFkRbnWdxCN7ezCjTOUQ"
    "jvmo8AvrFt3zRNQVAGmIyZNkCmAZAcKUJ3JZLK3XfsLbGoPZioZd1SXe5U1p5FMKkZMbEU"
    "Ukk6fZEn5ktIzHuTogDIQZkagnwQZ5EBVABjt30N8f2UKw7yKSMO8ikeB9GhBNHblgHGkG"
    "g5yaFSl/PTzA2lZQRjbthxLDBiLFvLR4uZgzHjy7+ZaXfNaDNh6bbLYXKxo+VWCwyW4hpQ"
    "vQLRKdf4iwFYd2BqmUDFJljpyIQAqcR2IkaTiRQwmbB/J5Mk82uPPW/YX4g5y3xvoWOWhj"
    "BtFU6iu0I1zJ+fyJrIyTH8U8jJMe9E63nIMTxfsr/PZcCKs+h8mK6L4RqR4sjyTBTfQ6HS"
    "wf1NeyhERy5P8e316Cd3weSwboI18mmp0s7LT8SgaSTln+j1883RD81tlyP6oUNNWdPAgw"
    "jMBTXqzgHWyR/2dRMDw5IW3t9ndC8LBb5B5cNH0AE2YjKgDwRkPK0NED/5+iAPGauaIkoQ"
    "rBAZupbJkllTLK9z77BhvwdtTdNXdG8NYhMu7Bpm5x7fW6PUAIom6oWPlQjJcPJX3Dikcy"
    "KO5wh+SwHUbV8HwmKWT9r9fRRyR91MyNlj5/cPIZf0YdD/6jYPZE5uHwY3CVgLJoG2KOCe"
    "UInbwjRqAjqPzKWvJacZo8kTmYMy2k7pIUFe+FCdMFxcx47dt4WSw5Jcy1XWsm11F7P6Qj"
    "I8gpVg9tkeTDFUQzIc1c1xQd+F3DHSMvI6OjGA88ZaQkNrcxDL98R5CCsL1tA6WKUAljOg"
    "E0JY/lDfFMTyZ1feA8QstpGRHWYK02yCYSS7X/AKoWawsJGOV+BsMvGNhsnkAz1vOyGOdY"
    "CnjFVkgDmNeM10vKREbX1NrhurdA52LJblJyg0pKr2TpvsmFUCGnpD5tqxhNxIV+BcstT9"
    "ZZ05yGNgpcbATGQqxUitrkANWa3NXKzWZgartRlntZYaEKsavjwi9g4iYv43IFJmg7ECRT"
    "UlkO4JRRCfEqlDQe5dKRf1m8HgIYT6TS8K68vjTXd49ompgDRCtlWVsJExll4LY+0LcawL"
    "YM2SgwLbbriA5RGRqs32xPs7+JDZmoVxjYpxYGNrQ4IFXiSKmSRfwyxFnYKZPBmVPrt4Mo"
    "onoyqpYp6M4lrmySi+AdUJoMpJ6uWT1HkyqoRkVCB6RZb0HY9PdGnSNQE6EgQR5R3hsVNw"
    "w3plnEMgGdbU63wvYD0HOqwTaIfPAQ8z88DDQrlgIX9C+Ge8IrdoiQHbg2EhGu7+C3ZXbS"
    "fRymoKLI2WIEwmLODCHkQvk5UsaVeHvfacuKuDWxUVrELguzocKSEb01wBjBNleZw0HtcX"
    "t9tjSKxxuKxOXjUnIx5i2vCyb74BcQXcvkLVyZwxu0fG7DGpnSGHKNW8j7pNm8x8I9o+5+"
    "5tfzGAtMBIgtTanmFFITa6a49T0qXNzmRMgMmEbreGZkhijp/x4SMYLSBjZ9qlxasFTKpg"
    "PsRjxiox+tfkAtac7sjjzoGBSZ+iyTwIcgGIczJOgIyhwXaKcx6MTPsG8TJIL0gHK2Qstn"
    "YqgvXQjhamkFdAl+xsBJCPgZvJKAoLlsgqctE/WVIR3+IrfbSfZsY+wSWJBQi5R7K/5Yx7"
    "JNwjqZTpzD2S9+WR9AOGdiPBFwndz/RC1GjLjf7HQCXOwIJZ6XY+ABnEOVBkIE6xZZ7TKj"
    "Fig9ODN6iDgFSB/M8p/ALTNViKSKE36L/kcjzbcID+8xSUuQuN3SH9nxttZVVinjOxtnfU"
    "n+vY0oRXuLZv06exJ3mbUvOjQCp3FIiru9yFZuvanp5wlafM7Cq9yuwqVmTGy/h4Gd+Rkk"
    "OHqCiz9ISN7dMHs9O8FlCXcN4sXaLj8P7yPOinEIqd9tGQA5JM8D+goMORnxp/nVmqRCEE"
    "UwspJlKNj/Sxf2uUP9ApPtkDPTqmz8NhBNpBdKD7hkyB4R4SqsO+eSWcLeQblgWinL4Qj3"
    "Dmj3C61nh8OHdVaxnzbkOIu7IlVmGrWIUFl5NGf9DvEpCJ5Fh96vbvev2vbaBBVSboj9W7"
    "3tfu86gNZDSHhjlWn7t98pcBbc+h6HT4kmMyfEmdCl9iiz97qSLLjS9Rv7Vmz+Dycrx03E"
    "8zuJ+nHK8SfLKKTbMTUW8uOhn9KG01qUOCXMdV1jFPJfFUUgVyHhtTScfPeNzZ5uCGvMed"
    "ZzTmy34IvpWZb/c92hrYCyzdDA/QDe1YwoJmIjSoIyyDszFZZpGybjcvmtc/fGr+cHE5Jk"
    "8YN1YQvrqXf7v6cdz40KZpjVg25FAPGqv+CehUfim+QrprHzso/RysFkha0KoOejq6BA2D"
    "Hl6hQ1Nfgzk0DdqDDsEM6Ya5mYBlP4IfmH4aWRJHWzENZByX7knUMP7ZvMoTyb9KD+RfRV"
    "20EEuywOc+JsframJl99z7fYfeL41rbaHygBj3jLhnVOnJyz0j7hnl8IyedDgjhjnV0gbv"
    "KNAyv4ekhYUKl6q4zgsdNz9559iJrEaEcrroddLa0TBYYPL74wSxvfWaXTVCxzYvRD/qzu"
    "Ccr3U4vtbppKOPYyXtMR0N0/PRyTDD8pPQ5XErmnmoFc10ZkUzOpJ5PVM69Kfp9OWpZ+JO"
    "AXcKuFOQ5hR0oI6kRSPBCXDuZBr9ot9mk42fDujmogtuTZdpTb9B3XCKfPLaIQGRGloizV"
    "YrT2i/1UqP7dN7kaMFkmzqdISTrek6oHsQDi15ogmTzmxIp44HRMpnjx/HddkbTzxmHZT5"
    "Mfv+f0M1ZVI="
)
