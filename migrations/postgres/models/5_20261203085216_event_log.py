from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "event_log" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" UUID NOT NULL UNIQUE,
    "type" VARCHAR(100) NOT NULL,
    "data" JSONB NOT NULL,
    "channels" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "published_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_event_log_publish_b7660a" ON "event_log" ("published_at");
COMMENT ON TABLE "event_log" IS 'A domain event, written in the transaction of its change; ``published_at`` is set';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "event_log";"""


MODELS_STATE = (
    "eJztXWtz4jgW/SsuPvVUZbvSJCSZzNZWEXB6mCGQIqR3djpTjrAFaNvIjC2Hzsz2f19Jfj"
    "+xCRhw61OCdK8fR6/7OJL/biwMDerW+/YSjY0vEDeupb8bGCwg/SdRdyI1wHIZ1LACAiY6"
    "FwZLpBBfbGIRE6iEVkyBbkFapEFLNdGSIIPdBNu6zgoNlQoiPAuKbIz+tCG91AySOTRpxe"
    "c/aDHCGvwKLe/n8osyRVDXIs+LNHZvXq6Q1yUv62FyywXZ3SaKauj2AgfCy1cyN7AvjTBh"
    "pTOIoQkIZJcnps0enz2d+6reGzlPGog4jxjS0eAU2DoJve5ECcoaijIYjpUHeawojRIAqQ"
    "Zm4NJHtfjbz9gj/KP54fzy/Ors4vyKivDH9Esuvzm3DoBxFDk8g3HjG68HBDgSHOMAVP43"
    "AWtnDsx0XD35GLL0kePIejjmQesVBNgG/akKcBfgq6JDPCNz+vPD6WkOlJ/ao87P7dE7Kv"
    "UDu6VBB4AzNAZuVdOpY3gH+PIxo8yBNS+DclRrO1jvtxtHkL44LwD0xXkmzqwqCvPShFP0"
    "tQzEgUYdu/JFkZ58kd2RL+IAqyZkYCiAJEHu0hqCFjAd6KhmDGzNVX3v/XOM0NMX1IZYf3"
    "XHVA70496d/DBu392z2y0s60+d49cey6ymyUtfY6Xv4s3kX0T6d2/8s8R+Sr8PBzKH17DI"
    "zOR3DOTGvzfYMwGbGAo2VgrQQsPfK/VQi7S6Diyi2NZG7R7X3ULLu498KA1/JA3tYZLb0i"
    "Z8oWvOJu0c1RStfMitTIejqZSyo0Ma643pY5ist2BPMw9l+iXVnGZwJdG9NUyIZvhX+MpB"
    "7tEnAlhNs6Ndn+zRvcyRgfvN6z1eaTCaTbDyXbpwp6LvTt8YEsdaaz902l25wRGeAPXLCp"
    "iaEoGa1RhNI1biyyarFs1FvARgMOPgsLdgzxxGPcVD9loj2zv2ml04xkc1kE9yHGO4AEgv"
    "41D4CrVz15qtIv4alcr0J3hdzGMDlrUy6JAt6xsnFGvovzVbrUKIt3IQb8URn9IbK2XjPR"
    "GlGiK9k6DPBBlJjMfwa8aU7IpXh26jsQdbWf5tHDGTPQTf3bV/+yFiKveHg4+eeAjxTn94"
    "EwMavNDp21Rss9RMHdXaCPYD81Fis8fp+VWR6YOKZc8fvDKKtmnoGXOHjO1FwrSNeomu7q"
    "46eWJ1pJe2NejYNSUgbzyMH7vyYHwtufpPuDd4GI8eO+Ph6FpCDHZbJYb5hNvdu97gWgLa"
    "AvGsyP6DdMhSqPGJXlJa6cagDQBwhk0Y1ou10IQq7moe8hqt2pnoZjjsR2aim158qnm8u5"
    "Ep9hx6KoQc98QzGkPzj03mClwaaooFk2mBR5Wq86pPD9oSF6Hm7zvUbC+1DVs9qila/VBa"
    "PSUi6T59LMGgGzOEN80whJVF8PlwmtoZ4YlQaXZkL7SqelwTK8WOcXVvfx1BHXA4kw2fwm"
    "w5siGfFUmNTZm6AbQ3gvTIL1JXiFTDNi34Rog6/CJ1hQhi6pvpC8h03gST7F+oTlDtMuFw"
    "oxuTRkrCgZef5CUcFlBDQJl4cntJO1hz0GxdlAm8BBq1i5Fvi9KUnZCw0F9pfj2aZTqank"
    "adErc/NptnZ5fN07OLq9b55WXr6tR3N5NVeX7nTe8jcz0jzSF80fp7JVm+6EaWarUW2GH6"
    "JtUumS5YaVl6H8acPH0gs8sl83PDWGGHERCaBqjQ54a3ZFsEENtq/CGS+lUm9fdvsux70t"
    "4xD3uK6MXLpphDOjUEeSe5fGEM7sEY1KCqAxO6eJfo4QnFGqT6K+jk9I4EYlIa7rheDTP8"
    "u4D7C321MjB78vWDd/uZedfcS0V3PXki0K6OPrE0DRVaFgOtHOaN+9GwIz889AYfr6XgKk"
    "94JLe7/7mWmNv4yn79InfGcpcV/Beq9OGf8G2712clU0BNAqfD7b3l6ONajvdWdFwEGjUc"
    "GadF+XK5hLkEY26FNFKGQ+HLb2TOHBrEWyZQzCGazVMCVploBgoCziScSzBLyyBlounLCz"
    "BTbGjb5OEwxYL0Tmmhs1vdABnIpinHQJ4y7eODOQfD7vDxpi9L9yO503voDQfRaCmv5AEl"
    "n6ZG19l+Juo5dsg6zN9mhBwY4NFlrQhdNpsrmyDKzoGlkLm9mODUPSS5XMyEboV8TL/keA"
    "mZhMDFMi2TnU3HDKkIMqZIgH2vCTBBxqxzqxchY7rO+kbtHtcVVMzDaejk+GZZyNRzALLt"
    "wJBK/ey/7SfCeAK43FELYZU6ZWl2ddaCn2OP+Y/isIXIYQvhbhU5bWFEp5FRrzNuJKaGLY"
    "DqURiPa1YoimloMsyAtAh7SDVeoFkVN/lIkI7uDqEWhfHWXQB9fpEaIbRLepXbnVLoVUFH"
    "y6ZXqYHMbulVoViUPdGRNQ8xrEJ1JlKhonJme6wqIL1TgG2cUCWI0FeKFaq078wM89UpD7"
    "YC86CE4HPtgc/lNFMJK9ZXqCPRqFBqrpmTmWsmE3OWbs/KAOzJ147g3zwvhO55DrrnSXTt"
    "SekuHNapHY/orFAfPsvpw2fJPhx+sgTQ2ceyxNRqgHXVx7OEHlMhFOcN0fd1RROUbgLfZi"
    "kxw4R1qiMcOdfUq5lnWkWmmVb2LNNKHvQNZimOyi8Pw0GGJeLKxwOlSCXS/yRq0+4s4tP4"
    "59TGKsNPmthIJ9SQfc/u96899HmGT36fj3fvk2g0lF0g3ud1+AIzDoRaz7Xzlavr+UAv2+"
    "sbN/LH3mAgj66lCZwhTJ+JnVM0lkd3crfXHsvspCICTb5NlEB2VtGn9qDDuHVAe2HvrdGy"
    "fp/+dO+9d56dDvDMpk5pmYkqrFNdczkHChwdKSHsDScwziYzRbV2FZdOoHw0+XHbNCFWy6"
    "2vIZ0KTZrHh25FRnwREz7bgE+Y7x4DaYGwTUpR8dJURRc+em66ZoJp6YP9uqP27fha4rpP"
    "+P7xpt97+JmtiH4IkS6JtA/2PvFl0lTn6OVQSOg8U6CgBV3ryh52maJav/ztrk68dBIQbo"
    "i4+LQTVxO0svick4i/Fwc3TVXM6YK2V3MCl6DtfY+tXoi2F06Blmz3uG4ltL0qkzjH287J"
    "4e2acmUSyWEVsR0puU4GSfxyuCb0BGFvPWEvypgQrL08hlmigxWg7vHBvg1oa3YgVRzb8K"
    "T4BvoeATPFNFZbIfCNwaxGnXmPJL6jhEgcwZoL1e4Jj2z4ZXIe3bG5jvaoEFduHfWxMcRQ"
    "ohOHtISm9M5RPpGo9g/X0moOiETmUHp+pgXPz9IU6YSK2Ra0TqQVInMJYIk30Pt4aHKb10"
    "0hYX4O0TvZq/4RY2UK5mOlzEdQipbnilcWoq8s8luIlZdDykty8tzRXNLNCukIV2C9KxBM"
    "JW+0VWt3NnvSWA11rUP6WqprkqUsm4Gxlr1m6oHMbrcKBD1taViIX1KQ9AVJv1YkfUFw3h"
    "e7du0JlesJFFs5rXKzZvB41WVoFAwYOj9RzSf8qdeVh9fSC9Kg8YRve335mjkWMO6Z7IHt"
    "NjG0FE5WzjdYXXkxCEoPAt78ZWkpESVBSClKSPFtmOJmSlhFuCZ5R9IdNr/weMk+yFKWJn"
    "xBcJUS3VzzXdqQojgIrcRBaIIAlN29j5MKIghA32OrFyEAAcuCpFzAMqwieCEp06cIAosg"
    "8FEFgRMTwhZwrTsRJDwLvoEIsjQNNptvheJwH7pWTTrzTvP3IcZDSiYiyofIzkbAqFyhDP"
    "7SSZ+bEsCa5GXbIZ4apgo1afLK0+0sKD4BFvxJUtlQ03UKoPQFwqXFq01jlZ7G3+bFU3P5"
    "tkufc+fgeDI/nDcRRxvtI2tyfLvy6IhBL96jFI4ntzvj3if5WnK0n3BneHffl/mHYVRjsW"
    "QzskZL2e71Pv84jNvXD2VrnkXHibpx8D/QrjDwPDVh6Wa6HcksuE81n/B9u8e2TQLEdkx2"
    "73oDdqrAAuEDCPt7S7FCJ1AVltpXlqYqYnnpG/c2CjHEVEWM4VBiDEUiS/5cvElEMaYrzg"
    "Y/nGCSiCHWf3wXiSGKgNcuVkvmZZXDNKQhEF0fQvTcWLGZLC/OFepU64OHIipbCTU3cciI"
    "iCLuL4oYQy2T0xzGdR23OdKgxUOKQSiSx/6ca2XH/rLDh5tcKDVUGA2OusRtsftnn8FB36"
    "NKmSzyCDURPcGnKcOnEf7vd+L/enzJ7C/UrqVa5nyfVoQQGzqwCEUI4g2GUlxXBBkOeGzl"
    "7HMv5xQn9IRrnDauHLOzFLIRHYHq+oBD1Bh+o4dcy+MaTmJecmLwrg9BBJtD3whw7Y4NiY"
    "MbGb8HtTvYmNFy+SWDmBOuPsll5jARRTcKHq3RljRjQfGSuN6JtDIRIZCdbMGdXaqNLeB8"
    "+8CYSohYkjoHeAZ/kp6fw2fhPT9LyJJcFl3Evd76HZ6wQfswlWS/DecqE9t6T+WRRqUMU4"
    "Om5ZxSrPLoD7uUgwsXYNA6jB9eKFH//gmznmMvqOIJr7GojDQ3VlTClGijUd8fMS3nrv5z"
    "ZQUB3uLs36DZ9+Lv/9hsnp1dNk/PLq5a55eXratTf/VJVuUtQze9j2wlithp66MCXp9Its"
    "HjY6+bYVq9ZFpVto2090xzk/lzr82Rg6xz+LxjA4etW/6esS+6ZG7qTYey+g28u+zRUdpU"
    "oV3rH3J2rX9I2bVO+3ES3+wv5njy1X8xZz9ddSffxmGLEXYX2aLAh3UE+G8A31D5pz82iS"
    "HGVEXc41DiHkXIU+KE5hrHjhPBgv04XG1oInXeSPG13JqTPDcLBDK7PI5JZAmrzBKyr8un"
    "nhWRcyxHoFJDM7bZahU5lKPVyj6Tg9VFF3U2qEog7IrXEN2dOAnu6UilzNVARVirJa3VvS"
    "5m3/4PtwEwtA=="
)
