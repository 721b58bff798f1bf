from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "idempotency_key" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "scope" VARCHAR(40) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "state" VARCHAR(8) NOT NULL,
    "locked_until" TIMESTAMPTZ NOT NULL,
    "response_status" SMALLINT,
    "response_headers" JSONB,
    "response_body" BYTEA,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_idempotency_scope_e46a2c" UNIQUE ("scope", "key")
);
CREATE INDEX IF NOT EXISTS "idx_idempotency_expires_8bff94" ON "idempotency_key" ("expires_at");
COMMENT ON TABLE "idempotency_key" IS 'One caller''s ``Idempotency-Key``: ``running`` while its first request runs, then';
        CREATE TABLE IF NOT EXISTS "webhook_endpoint" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(2048) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "event_types" JSONB NOT NULL,
    "enabled" BOOL NOT NULL,
    "disabled_reason" VARCHAR(16),
    "secret" VARCHAR(64) NOT NULL,
    "previous_secret" VARCHAR(64),
    "previous_secret_until" TIMESTAMPTZ,
    "failing_since" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "created_by_id" INT REFERENCES "user" ("id") ON DELETE SET NULL
);
COMMENT ON TABLE "webhook_endpoint" IS 'A receiver of events: its URL, the event types it wants and the secret it verifies';
        CREATE TABLE IF NOT EXISTS "webhook_delivery" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" UUID NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "data" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "round_attempts" INT NOT NULL,
    "response_status" INT,
    "response_body" TEXT,
    "error" VARCHAR(500),
    "duration_ms" INT,
    "next_attempt_at" TIMESTAMPTZ,
    "locked_until" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "endpoint_id" INT NOT NULL REFERENCES "webhook_endpoint" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_del_endpoin_331a36" UNIQUE ("endpoint_id", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_webhook_del_status_5b6f00" ON "webhook_delivery" ("status", "next_attempt_at");
CREATE INDEX IF NOT EXISTS "idx_webhook_del_endpoin_86bfa6" ON "webhook_delivery" ("endpoint_id", "status", "id");
COMMENT ON COLUMN "webhook_delivery"."status" IS 'PENDING: pending\nSUCCEEDED: succeeded\nFAILED: failed';
COMMENT ON TABLE "webhook_delivery" IS 'One event for one endpoint, tried until it succeeds or its schedule runs out. Its';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "idempotency_key";
        DROP TABLE IF EXISTS "webhook_delivery";
        DROP TABLE IF EXISTS "webhook_endpoint";"""


MODELS_STATE = (
    "eJztXWtz27jV/isYfakz480k8iWpt9MZX5SsWkf22PLutusdiiIhCa8pUsuLFbXd//4C4J"
    "0gKEISKYrGp8QgDkg9B5dzx387c0uHhvO+9wpN99qzHcvuXID/dkx1DvF/8h4fg466WMQP"
    "SYOrjg3aH5KOihb3HDuurWoufjZRDQfiJh06mo0WLrJMQvGTtcSPbKACzTIdbw5tYE2AO4"
    "PAsKZgpjpgarkXAA9srwAdHiy8sYGcGdSBtwCuBUajheUgMuBoRF6qWxp+KzKnFYz/bB7h"
    "P8MOigP/GI3e0WHGEJr4P6aO6TARco8BMumLMAKmg0HAA+C/VRfMrVfSCT/ykXpPvtoz0R"
    "8eVFxrCvETwobffsfNCA/4HTrhn4sXZYKgoae4RP/FD+kTxV0taOv1TLW/0L4Ek7GiWYY3"
    "N5P9Fyt3ZpkRAQaNtE6hCW3VhXqCaaZnGAGPwyb/e3GDa3sw+lA9btDhRPUMwnpC7X9D3N"
    "ZRlMHdUHnsDRWlw0yLkCLByaCJcBEDikzXoRjM1e+KAc2pO8N/fvzw4U//RTEUfjfyxp8v"
    "H65/unw4wr3ekVdaeGb603YQPOr6z/6kg6iu6g9DwY/RDicDi/gVmvZNNx/zJFUGd/xbNs"
    "E9bIiBj5dYiPKHqmCfki/44a/d7snJp+6Hk/PPZ6efPp19/vAZ96Wfyz76VMCaq/7X/mCY"
    "ZgppIJyIkfcWOsFHUV0W+xv8xEVzmI9+mjKDvx6Qvg//UxU3qlwHNlT1O9NYBeuvAOth/1"
    "vvcXj57Z68bu44fxgUv8thjzzp0tZVpvXoPLNiokHAL/3hT4D8Cf59N+hReC3Hndr0jXG/"
    "4b875JtUz7UU01oqqp7EKGwOv55sdZOXxPIjDWNVe1mqtq4wT6yuxevLPpp359kW1VSnlG"
    "cEXPKZwbn3E97ODajT4y/vXEw9L3Ewzvz+5U7GS4B5mjg1yCFjeyaYWPg0M/2z6gIsbeS6"
    "+OTJOWvwOYdcB8DJBGr4NHIsoDLHYxUveTajMTEOCJ+s5LRbIg2CI/wKA6qOCyxTg++Aq7"
    "7AkJg28Y7C3zo+dvSE8sFEeuf3sick0sV2a7//+n06OOqaezzWuE/zT8wE68qKKAmS3Ugp"
    "+96f03LKWSk55axATjkL5JQY5WhVMDA/PfVv8mFO0mRw9jykvyeUB4h2AbgU2RP/OEseVP"
    "SXpgENdusNxI00ZT3iRq3bymFKGwFECWGDwphi+kRFwQmdOS0sCx9cZj6/Y6IMr8eYqqr1"
    "E7XUu4Cu7u5uU7y86mcOhMHTt6se3r4oE3En5CbOiYZIdrfWdFog2CUfl5DrDGtaVqbTrT"
    "lG2ResjksIVhreS6bwR5C0OqjuaASQAxzo5gh0O37Ds0nkMtyT/G35o4w95z3uj3Tcy7J1"
    "aDu+0URTycBkqPBgwR0ItA4l880rWLR8NkNjjHNMnzi4D5hZS2KGAZhpK0A2Rid4a/Rd2x"
    "pKpBi4TzGwSQLKXtmxG/GE4iAgUof92yhP787uF+NL5jGL7z8e7wb5+Ib9s+Iewqrt/wDe"
    "wCqz8u1nqhIkUoJAiObRt8tfs0Bf395dZec0GeAqAzo5jMzgkC0LfJJGgr8F+Jameba9kc"
    "aTIZUW1kPSeZJynyjjs7Q74HzwyQ3RdQ+EzzmW9CJGO/APQf9VlnQjJ1azWFufWNwQrfdy"
    "gYbWCzQ7OSpv9Oy4SN9VFwhrXmG3dfounxM7VuLeigbX/Xj66fTzyflpNEOjlqKJuV4322"
    "8Iwb6P9uqVCbpmlJnqzIRUthRV68I1zk9LAH1+ysWZPErDvLDhBH0XgTimaONUPi8zk7MS"
    "SWIin2cB1rAUvFkIRppSKghNERzLKAiG6riK52zE9yxtLQpCU9T0JjG6lIZgw1d85mzC5z"
    "Sl5HKTuYyXo51riOfK0QmK+qIXGy5PM0pdGmAW3S+WDdHU/CdcUZD7+ItUU8uTowOd7CkY"
    "5sDA/TOcPWFrvJptdRmpdMlJhX87/sXQ9xRfXz5eX970On/uR0umqOdoyCE3+NpxyHapGB"
    "/UQj4uclrOVWSIKBQRQevUte5ZGX0N9+LqE/RZRmNTHWdp4SUrqhszhC3U37pnZ6UQPytA"
    "/CyL+AS/WBG196SIWoh0JUafMbJYjIfwO2dLDrrXh26nswdZuffrsNhxGYnKt3eDr2H3rD"
    "czDbT6irdvW/FsoZ06TbUR7A3TUTK7x4fTz2W2D9yNv3/Qh2m0bcvg7B0905szom1aSwxo"
    "q5rkzOmIh/b0IIxPAPLO4/DppjcYXoCA/tnsDx6HD0/Xw7uHC4AI7J7mklC2y5tv/cEFUP"
    "U5ol6R/RvpkKOQEL/XHC4VhrGm6GqMZA2ZdlCBrKn9x3NnClxYWo4Ew5XA00StyQncUhKX"
    "pua3bWqWOZ5t4zovx5NxMBjWFJmbehiSxNL43BxWsyuccOA/likWu5ygqVE/ehpeV6UiVe"
    "EJF4gySsguYURPTsztVUD75Z8P0FA55Qty4ocObGPl2aszB5NhqfqWID3RQdoKkWZ5tgO3"
    "hOiaDtJWiKCJNWBjDgnNVjD1ooHaCpWfWLYdSndkjLYCNLFsb67MPRc6yhRr7XkVaQSw+k"
    "KG+4ZHewN4SaRKIEUEvy2RurcOOfGmDEjujGhlW8I0pIO0G6idwfTQeqgcbxy9YieQPSYG"
    "bCt0puWiSZCBviVog8RQbwEuRUdTuPVen0Tthg74JrAjAeTQhqa2rVSRxO8+GrStGC7heG"
    "ZZLwo09YWFtlaHfvGH6wWjHayFjwWtyki3K8Mad3Ii3Wj7cVGk2xzqSFXGYb+9xLs5M7V7"
    "di5iRowpWhectatcGn4knIP+k+dQLsgZDSnaFDFcc8lT6QTlM+Qw3WE8J+hGxvt6jdLyyI"
    "zAygsPj2AsCBCP+1R5ZP7WsZamb/hMbAO402+d8Mh2XNX1HL+CqowmryuafP8iy7437YoT"
    "gCcIDy4a25ygaSHIlQSRS2FwD8KgDjVDJUWWKHgCM5whbEGMeQ2THL/RJeUHReHO0rUwtL"
    "wKuF/wTxOBOezfPnh3HxIeiHu56K6P2o+p64vbX9iWBh2HgCaGeef+4e669/jYH3y9APEo"
    "z+ZD7/LmXxfkwgN9Rf76R+962LshDf8HNfzxz+aXy/4taYnrOe+fc/hznbzLZvjrIqZo4c"
    "r4UDZRqzBTi0nVWiLdFQnej/pXVAZtH9LMziL3ZxBNZzkGKy6aMYGEk4VzoU7zfEv8Un1h"
    "fwlmjgzt2b7fzoH4TXmmsy+GpXKQzSPOgDwh1IcHcwGGN3dPV7c9cP/Qu+4/9oOys5G1lD"
    "6kBqUoPwqfs7dc1AvkkHWYbyeENAzw9LFWJk+Tn6TJZGjOVEdxZ958bOYWLyhMAmRo5ZUW"
    "IpmArgvnizxvNj8PMEEiswClA+ytOsBkFmCbuR5iVJQFGCjrm9Uhz9DKHMDmMJpd38QLmV"
    "uAji8HJkjaJ//t3hFGHcBiNf6SJG3y0lRV5C/ysWf0R1nlL1XlLzmtUmX+HvA28tC/HnaY"
    "rWEHoIYhjIe1K5TFNLEZciAtEz2kWa9bZ9iVTtc8EKTTZQmwRLF1NsEtHaRFCFUZXhVMp5"
    "zwqnii8cOrtLhPteFVCVtU5v4bcis1ibNK9LCRBhWNpvxmHsXZwBhmz3Szz13k4h+WadTw"
    "DJpa9spvjytRUdOEjOraQ1SXzyYBWTYiaGO4USkHXbfAP9dl3XOO4U1FAA77ty7Mv3taCt"
    "3TAnRPWXS9sfAUTtK0LpropNQcPimYwyc590kmvowBml8VNEPWAqyLDBlVVAdNfKbiYpw3"
    "RD+ilSwQZkEkswjsMEma+sKO/DGNevaZszLbzBl/lzlj75lSp0J3p4b96783tfO3iWf6F5"
    "GPPWS4WJB9T9739z3M+UpuUzXgK+TUI14fcRcR1zfzVUN01neuel/7g0Hv4QKM4RSZ+JtI"
    "mdxh7+Fb76Z/OeyRQrkutGmyqAtJqdyfLwfXJMJO1V/J79Zx2+0t/jN4996j7QzVnHpYNR"
    "XZqJI09bHLL/dzcKEJSW2YwZgf0pSmqso6zaB8MF5ycvmyqYmdrwmaOmsqPt7UJMSXEeH5"
    "AjwjvodxSHNk5peQ4s7ePFI5hQ8+Ql231YlwXfmbh8svwwtAaZ/N+6er2/7jT+REjAyJ+E"
    "jEc7D/Mz0mbW2GXpsSik79BQqa47NO9K6FHNL2eXGrunDBd0MEJuLy206WTAaXZfccxv5e"
    "Htw8Urmny+C9lodxyeC9t8j1UsF7GUeoUPBehraW4L06nTiHy2d2eQeinIgjOUkik5LYcz"
    "J24ovhytDJsL31YXvpiAkZu1cUZ8ZMsBIBfHSx7wLalpWlymKb3BS3COJz1aliW8udhPEN"
    "1WmLJvMeQ/kOEiJ5N0VpqLDKv9h6Nl3TQdoKkby+Q15HIW9aqB6o6qOxiVTADcgORIZ1Md"
    "mKG/RbF5fduTMhwPIMWEAbHPnExwBTv7sAy5nqAncGwWiEG0YjMEGGi7t5DnSOwRK5M6Ca"
    "gDLofdZjsstxcyLEf0vEnpOf+nsmZFwGZNcakK0KRQsH3WvzHNbmkCoVLFwQK8yGCgerWd"
    "D6k6CRFor1Fop4K9lShW7dXXrHjA6dmFopJfr68vH68qZXpENXeXIGmmLOsRnrkPwz04j7"
    "VJvHFM+0heUgOqTMHZK5Q63KHZJ5F/sK+l9bPnd9XNdOSuluxoYw3UMkuosAg/cnTPls/t"
    "y/6d1dgFekQ+vZ/NK/7V0QxQJmNZM9BOGOLT0nVJS/FsL+chEILwLKftFouRSRjJMrGycX"
    "yTDlxZQkiVRNiuplNjvs+XBjEJFDrhB8RXCZY9ksKtSYJpRVGgWqNMq4RP70PswINRmX+B"
    "a5XiYuUXUc6IoZLJMkMlwtZ/uURmBpBD4oIzCzIewA17bHpyV3wS3i0xa2RXbznURe3SfG"
    "aslkrtR/nwjEyvFEpMO0+N4ImO5XyoO/8N3nNlBNHYTedmhOLFuDOhivqLudGMXHqgN/BB"
    "pZaoaBAQQvEC4c+ti2lvlu/F0OnuvL94Ko3mAPzjrzk34TWXFtH16Tw0sWxisGvYafUtqe"
    "fHk97P/cuwA+9bN5ffft/rZHb63SrPmC7Mg6biVFNW7pzVXBXG9KxrCD14m2sfE/pq7R8D"
    "yxoTCbvjz0iHEfUz6b95d9ks2tIpLIffOtPyDFTubIbIDZPzyKFbyBalAo3TWPVNryWMUo"
    "WJMKN9y8QEHKoZUQZyGmYcWCdc0TJFKd52XBb2QYy5BKy1hTLGNl7KHxjrOBHTxDK6/baI"
    "4JVFq+27++y1i+pZm2itOS2AbEME1QSETXG75D44vMzC6yziYm1XqTt/Ql1BJQzlTskrbv"
    "/dm+M6hxI/GTuK6LyE8xtLwhPDagU4u1PxbfYs03em8yUK6BO23SD9INZM7aPk3akUaVs1"
    "kUhYGl6GQUmEgUmNR/34j+G0b58i99XxsgXHDlu7TKdgzVcTFC0NxgKWVppZGhwWuroGiM"
    "mFLM0EnVOG9d+WKnELIpGonqeoNDWhjeUkNuZe2j44yWzCze9SaIOKV5S4BbV4MrC25q/T"
    "Yppz2oV5VfCmaxLqddi/usVZwvgY4cWlYbaHgkYE2AhVVg3zjzIxiNSKvyAlejETgiGi/t"
    "pWGVd2IZOtTfAeQAn+9Ub/YJWb26wvesqRETDiyV7j0r3bpQ8n3Yv4W597u/gj6a44IAhz"
    "QS5BIgB/FYijWZiGi1aSoZFcOK3uqcnAsEIZK/mlcs+ApN+SlEOdQtQvmv3e7Jyafuh5Pz"
    "z2ennz6dff4Qwc0+KsL9qv+VQJ+a7od8vVVtO8mOb7eC3xfIhs4mIWApSmkHbY6thrWDkh"
    "lkQx3OKQoiZtAcyhZtZzs7NAhEcJ7nw+EimySRhmWZqd92o7LM1H+LXJfxig0xdstQsJpD"
    "weqsg98w6WovcV8+VjlG6ghEvo3airqUi+3ybG2mOhm7MSd8i9+3TKHWKCM5lmpwH5mIvG"
    "8DctMTkdn13llAUyeQiSHeue8NbvqDrxcgoE9nun657NP844mKDJKS3Pv1vv9AGnzzAG55"
    "6H15GtyQJhtOPPyBDUlRDix1m9v4trPvNe103I+Bz0COqyxspMFNGJFHLZmxMTNCn+gmrG"
    "BpW2PTkDbvltm8/YgERdwHnCJrX3neCpyUtkVKGufsJXyYkzQtnMu7F2RCwBQHOg7iRA2u"
    "xztDvpPpvV8VIF17+uysBPC4F7/yNHnGgX6hrrihsCWgT5NXtLO0DHttBrUXy3NFa6xn6d"
    "q3j1dVZr1BvuKm7fGHa41nnTDS9cZfZ4fphJGut7fI9TKuN2LE24DlCTIZ+NMc9rKr2jfL"
    "bsDhFKHkcZN5HJrVN+ByhlTyufl8VvBhlJtQxdd4GML2qTxnpS4QPCu4QPCMvUAwUs8DAD"
    "dU7lPU7YO+GuXet7WKhgQteOYrGaR6IeOsZF245iIq68JtGbXGqwsXX9ohC8PtNhqQi+xi"
    "J/nucW71YZ1aAsDGx3UKWPwFYPB0e7uvfPd73xvzCxzPLOulkxNSmOlxXBRbGPp2lonOJR"
    "LhQ/ERwFda9m2xMBDUgYXnzAVArgOQnklCDyny0t23HC03qT3pqKXDEl5uldZeFGDSssDE"
    "WoJK+OGL0jFfg2M+WhQCICdpWghyJcoiBUgA47B/C/H9WMoO8rHADvKRtYPYUIPodUMDY4"
    "q0HudQrdv5YfqGeB5BRg3bjwSGhWVv/s2j4iAjfMUPC+WuCemmzMN+JUQuerXccmaBuboC"
    "hK9ADdI1/uIAOhwYey4wLRcsbeRCgEwsO2GhyUUGGI3ov6NRnvi1w5HX1BeiyrKsLbTP1B"
    "DKLWEnekjUQv/5geyJMjhGHoUyOOaNcL1McIz0l+zuuExIcR5ZD+OVGK4ZKoms9ETJGgqN"
    "Nu6vq6GQnbnSxbfTq5/CDVPCug7WzNHSpMrL91ig6eT5n0j78XrrxyLsV8L6YcOFsSKGBx"
    "W4MyLUHQPLxn/47a4FHE+bRX8fkVoWBnyFxrv34BL4iOmAvBDg+bRyAHvzdSUveTYXhqpB"
    "sER46noudWaNLX1VusKG/x2kN3FfkdoaWCac+TnMwTNZW6NWA8pCtYWvlUjRyOAvVjgka4"
    "LFcwi/cwAN+7chYLFIJ+39Okypo6En5Ojb5a/vUirp7d3ga9g94Tm5vr27ysFacTG0ooBH"
    "RDWWhem0BHRpmePvJYdpoyljmYM62ozpKUKZ+NAcMxzL40Du24DJaUrJ5SZz2Ze6xaS+FI"
    "20YOWIfb4GI4Zqikaiut4uGKuQW1pahtFABwZwWVtLamqtN2LFmrg0YRXBmtoHm2TACiZ0"
    "jgkrnurrjFjx6ip7gZhHCxn5ZqZ0mE3SjOSPC14gXDjUbGRbS3A0GsVCw2j0jty3nWPHqu"
    "AtzyZywJRYvCa2NSeB2vYKtztLfgw2Y8uKHRQLZJp+pU16zSoGDb0idxVIQqGlK3EvGbe+"
    "bLAGpQ2sVhuYi1xDLKg1JGhhVGu3VFRrtyCqtctGtdZqEGsavtIi9gYsYvEZkEmzsSwDqi"
    "bHkB4RZRAfY6qqII9a6kX96u7uNoX6VT8L69O3q97D0UfKAtwJ+VJVTiFjS3sRxjomklgL"
    "YE2dgwotNywgeWSoWlOeeHcXH1JZUxjXLJkEltkbciRwEStmHn0LvRRtMmZKZxR/dUlnlH"
    "RGNZLF0hkluSydUbIA1QGgKoPU6w9Sl86oGpxRCesV3tK3vD4xDJNuCdAZI4iqbwmP74J7"
    "aJfHOQWS442jwXcC1mNiwDaBVr0P+KHQD/wg5AtWyjuEf7KW+BFJMaA1GGaqE9Zf8Ie6CB"
    "ytNKfAW5AUhNGIGlzoi0gz3snyqjrsdOTcqg5hVlQyC0FWddiTQ5bhnADGubTSTsra9dXN"
    "agypLTaXtUmrlsGIVSwbmfYtCxA3QO0Tyk6WEbM7jJjdZ2hnSiHiivdZtWmdmO9k+5es3v"
    "YXB2gzC2mQSNsTyzCwjB7K4yTo0o/OpJEAoxEpt4YmSKOKn/PuPRjOII3O9FOLlzOYl8Fc"
    "xWueTSz0r3CDtQiGw687Bo6Fx1RdqkHgBqBO8TwBugUdWikueDFy/QdYy8CjIBsskTPbWK"
    "lI5kMHXBhDmQFds7KRQJ4BtzCiKE1YY1RRiP7BBhXJEl/82X6YHvsclYQxEEqNZHfbmdRI"
    "pEbSKNFZaiRvSyMZJATtTo4uknpeqIWY2Z5r9Y87EysDMyql+/4A5GDlwNCBOrY895hkiW"
    "EZnFy8QRQEZCr4f0HiFxivwFxFBnlA/sXNrLehgvHLJJSFG40/IPlfaG2lWWKRMrHyK+pP"
    "bctbKC9w5T8mb6NviopSy6tAGncVSMi70olmq9bennBaJs3slJ9ldsokmck0PpnGtyfnUB"
    "UZZZ6dU9ieP5mD7q2Auob7ZskWzcL7j8e7ASegOOifNTkgzQX/AwaqLvip87eJZ2oEQjD2"
    "kOEi03lPXvv3Tv0TneBTPNGzc/o4bUYgA2QneizICEz3FFEb6ubVcLdQLFgKWDljImnhLG"
    "/hDKVxdjr3TG/OaLcpxEPaGrOwTcuEgttJZ3A36GGQMeWzed8b3PQHXy/AApo6Rv/ZvOl/"
    "7T0OL4COptBxn83H3gD/5UBfcxBdDp9LLIbP3KXwmdn86UeJbDcxRfv2mh2DK9Px+Lgfpn"
    "G/TDpeI+LJGrbMDoS9pcLJyKG00aJOEUoeN5nH0pUkXUkN8HmsdSXt3+Nx44uDa/weN5HQ"
    "WM77ocRSZrnqe6Q38DdYUgwPkIJ21GFBPBELaCNLB0fPeJtFxuqi+6F7/sPH7g8fTp7xG5"
    "47SwhfwuZfTv/63Hl3QdwajDekqhc9m/EN6IR+rr5AUrWPXpR+DJYzpM1IVge5HV2DjkMu"
    "r7Cha6/AFLoOGcGGYIJsx10fgOW/Ql6YfhhekoBbDAcKrkuPKFpo/+yelrHkn/IN+adZFS"
    "0VJSlw3DN0Mq+GSbuX2u8b1H6JXWsDlifIpGYkNaNGL16pGUnNqIRmdG/DCRbMCZfWaEeJ"
    "nuU1pEWaSDhVJVReyLz5MbrHTqU5IiSmi7Tj3gGHwczCv58NENvZqMVZI2Ruy0T0vVYGl/"
    "Fa1cVrHY47ej9S0g7d0ZDvj86HGdbvhK4vtqJbJrSiy4+s6GZnssxn4kN/mEpfmXwmqRRI"
    "pUAqBTylwK9oeKOuOjl6QPywUPTHYxsrF2mOEpQP1AOKUiki8T1BaOrhZQ+sCZXS8SDg6G"
    "l4zcn8KEeWK7mnihySb2UzvqNW6XdonN9Blkzd1aaejrTOCewlUhEv0DovpDclCh0gqAWI"
    "EVEmK66btmUYc2jmFeXkTsUMlfTNML4ZIicYhrDbi6GT0LLVpucLLHiIApumkrBmYV3YFl"
    "FYHMXXE0WwzSOVADP38JCbXqBiQNXGIIjgm0Mp4c3C61eY4lSX5kKboZKw5urJe1brHuAr"
    "NL1cLw/T51hUyVPsBOVaZe9eRTqYI9MjVYEnHmawTpP0cZNlAzwD3EiJ0zybeI9Wx5HPxn"
    "8pDWTDL2ZVwl0PXk5xJHMoGE0qkVKJPDh9RyqRe1cio/2DwY3v9knStNDzc1LC8XPC9fuc"
    "ZN0+6pzcw6jQk0Bsy81StkbEqWHzbZQgNLRcDDFfCAqeiwlAbky0maHbQaYGSSj9GE5VEx"
    "wRGcVf2i6phOrCsqbvkgOtr27EFVZqOC4PRG6pLIhFWhOrNB1shm4+sQRZ2hXrtSs63lxM"
    "cslStgbbWtRGaRlrr2WsF+3lX6j0lCcUMn1KCobxOVFOKvyFlLKPyMGLaS0jK1U81gUg8t"
    "wC2hr+g2RcUumNiHuO6+kIOsfUckUimMmtSozIWMlbnk0SaEFIyGMiaNpQs2wd6iDce0pX"
    "1EwJivHN7n4cye+kama28TiOp+Eb2OLfJia3MnRSdpXWtH0c/zJycecClb+9ifhnYwp5jG"
    "fhJFv/iryQlU0Lb+RIkMlqdeXTA3JOwbKW9hzSLa3uh5PGGhjdGyJ/3vqRCHzhM92hpOQZ"
    "xDeUEzuHgQxHY2VVvgBH/KequQrsjbQaCFgYqovVmzlpxNADqGozRuLc9QuezXAIUnQEj4"
    "jHPQYza0kLj8zjIWi9kRV9IdeNW9bkWfHp+9ZFxkZtZk2Tew5oN3McyyzazBLPS+9lhKbc"
    "VnYJ/N7EGeKZJjQuEiqt498VZy0w83Wsq4YaLG6bqa/UYRKYIPFjrBXnZRDvevgtNiT/Uw"
    "SvWU7SyE3pYPXYwwM5qSWoNvnt5SFNUEili+NrEQI0RSMhbZA5+j4QdzkZeMnHJY/PUIAu"
    "n4U3TIjd+Ql19FBTbUgvWSVSuuPNyXMaaOBL3n9hT88djrvFsdmMmLS9HptlItL4h6IMvm"
    "/r5vMLHM8s6+UGGphNdu4GlO1SuAkt/c4kuznuXSo2isSRu1E8NjT1hYWIGwqzAgvPnuki"
    "g7qiPE2DUKdFRqnvSZtB3TMgsD0TN3rue9D3fa5M0NRO3/BsjkZ0QCz2jUb04jm8eY1GAQ"
    "A/0Fa8jxH7BN7l7NUxIFdfk8utkakZng51fpR5+G2kQ/iSnOhyEtjl0d9qwu+kPp0L5ws3"
    "uocuOUrctdBhJiPS9xmRHrGa4cHTU/+G46p85XopPQ/p7wllu8wffvCvX04kWSiE/tLMRX"
    "OyKlQYUX1epjbtOb827TlTm9bSaIDpJsV0MqQtrKZTAHbDq+fQpkxKx6HcwLYfhlZy11p8"
    "YLOb1/qbqWLqGu+mCq6U6ohxoMNeSfX4dH3d6930bi5CYQzqz+aXy/4taZrQ6vZZCa/MHv"
    "jxvMQe+DG71BL1xM6ZxBJf5BLSiBIkUhXKmrZsyzN1ZQNYWUIJLgMudBb4DVDhbS58dFnK"
    "jeBtWMhAZQCL3r/LELbh8roiGaiKe3ihbeel9xXUzgwJ2oB2HVfxerZf3HkusndkqOS+we"
    "4bWfMNA26xOpVDLm8paLJGZVjaC9Z+qclRlNlZWsnpJnNa3jLD30QPs+BwmVtmZJnptnE9"
    "Z7EzZaZDf4torlGKSiZtrC83nXRspVEWLjkdODd7iREPDOs/wwm1pvp0Zp41qQJ1lgl8J3"
    "SST+ud0Ml5UiaQ1IYaJF7rwG+LAfZTIp8ebo+pe9f3INPZSjzFS5WEgIY5kQ7ER7ZL2vEQ"
    "CP901gu9+1c8mw6e76pLw2rIfTbgiHQkDu4xnODVQC+3cakCBkhXPJhhmVMH6TBweY9GCx"
    "u+IstzFH98X7YcjbYuGSJvuqkgQNWzhe4HCbq30KPZ/XD6uYSNg3Tj37hJH2asHImPEwA6"
    "Q1aj30XQ4dIki5IfveAPxWDN9zBmyKSjcQtHIzQJEHlxP0UJnAkqmb9ZPn9TRw7FTcFakC"
    "O4v7Ck7TNb795D64s0IkDHFC08NHcfBpQRHkWQziFt35SuHPHNzMjcQaQ9uTkmJtaySIJf"
    "8G9VaL1HUZ4zxJLXTea19B3wt9jDtCJL38Fb5HoZ30G4YscrwdTjLJ0Mr1jrPogx24EDoe"
    "SdlQ1DuKzTgJleKbcB/goweLq9LfIbJO1qNCUM5Zl6rgLaL/98gP71XWtdNsl8tAPbx3jo"
    "/1mlk6Wvw/nCcsmlAXh2d3J8LJkex0UuFhT3VV6gyF2fqmFA+y8OGI0S7/sBv3A0usCNtm"
    "eaGLvRCCxnyIDUOTJBtkNqB2HmkX8906G+EpPxr+z6BSTJT7dMSDoT3wpxraims4S2n7cc"
    "UkzVV8jP5nM0y08rIkBls/hkKl4jU/EinpW2GoUELTQanZax/J/yDf+njN0/2DLKght0by"
    "G03bOzMj6sszO+C4s8y5Ssxu+H9sLODZHgo5whayHau7fF0bs1hPaJkKBGB2Fw5NXjJyzj"
    "k+U7ZBlvbMNCZZs2vw9XBWYtH2vTkx7nWLZ7ozlKJ91P55EERP4oknkev13e3hakJ82gqu"
    "fWceG73PNot/K7Nwzmut3ua1LFrpCp2qvNksXGq+AW4dZw4CoANeIAZsBVf3D58K/8fLGr"
    "HCZc/WvYu8wWUpMW9pbZWstY2OH3BcKjbcD1NGU9XG9IlbAmMZkrTTSkqNYltJE26+SY2I"
    "Inx4V1/OI+6yxqfMbKqN1mRe2+YpFJMKA0QdJCVbwSwwdZVAIIB91biO7HUsG6HwuCdT+y"
    "wbr4jW7u1Sl8rSFBIoN0BbWFvR5mf/4/Yu0Ngg=="
)
