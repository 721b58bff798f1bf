from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "event_handled" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "handler" VARCHAR(150) NOT NULL,
    "event_id" UUID NOT NULL,
    "handled_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_event_handl_handler_0d773f" UNIQUE ("handler", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_event_handl_handled_b94003" ON "event_handled" ("handled_at");
COMMENT ON TABLE "event_handled" IS 'A reaction that has run for an event: written in the transaction of its effect, so a';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "event_handled";"""


MODELS_STATE = (
    "eJztXWtz2joa/isaPrUz2UxKLu3m7OwMSUjLOQQyhHTPnqbjCFuANkbm2HJo9mz/+0ry/Y"
    "pNwICjT20kvbJ5Xl3eyyP5r8bM0JBuHX6BRNOR1n5GhDbOwV8NAmeI/Se1/gA04Hwe1PIC"
    "Cke6EEC8iTJ12oumI4uaUOXdjqFuIVakIUs18Zxig3CRFjARa8D+AnQKKZhCC5g2AWPDBJ"
    "AA0eM5WJiYUkQA5q0QYH0Sy5UyxgBTC6DxGKn0AFgGgPzJmqGyR2My2dRDHojfJ8MBPyMT"
    "aYAusIrAO/YIHUGLAoOo6D2g8Al5wqLokL+hTfCfNlKoMUHscSZ7z2/fGg52Jq93wMRa4/"
    "t39hcmGvqBLN6K/zl/UsYY6VpEX1hgLsoV+jIXZRd40iH0WrTlsIwU1dDtGQnaz1/o1CC+"
    "AHaUPEEEmZAi/gRq2lxzxNZ1V9OeMp3fEDRx3jIko6ExtHWufy7tvEBQ1lCUXn+o3LWHit"
    "JIjA1PIqRJt0g1CB9X7FUtAcCEv8Lf/t5sHh9/bB4dn306Pfn48fTT0SfWVrxvsurjT+dl"
    "ArScrgRmnc+d3pC/kMEGrzO0ecFPIQMpdKSEMgL0Q6qLquByCs10BYREYlpgPy+uBQ/zPD"
    "V4BYEegmlXhSJm8IeiIzKhU/bnh9OjHJC/tgaXX1qDd6zV+yjUPbeq6dRx1AOU/VmRgPn+"
    "vnOVDnNYJoazbWPtkEvuIdo54Apkj88EsHPDohNTVAqMYoC6q7UCaRLSKwYGxTOUN3o9yR"
    "iwmit66P1nPQBXuqywBV7rE/3FfW4O3sPOTftu2Lq55Y+bWdafuoCvNWzzmqYofYmVvjuL"
    "jXu/E/CvzvAL4H+CP/q9dlyJfrvhHw3+TtCmhkKMhQK1EEReqQfjT75tjJ9CSxcvGEH1aQ"
    "FNTUnUGE0jq22yatacxUsggROhMg4uf03Xmugak0mOsRGuLmBr6MakqJ2hGTOmWmezPyiw"
    "2atsfE/QL+DxcW6PdGxNxVB/fATYAhaiKUbGmp/wQLitwFryvw2nl5FtHbL2WGOtDFNDpg"
    "WErAp5x7wrb7FjDTi0lhAThdzceSB8kNszJnggaizWBkyNBWthAqa0F8Anq+U+1X+vLItF"
    "mib7YJrs0qa5VXWsZ8sUOJQw87z2dbTxjgrZeEc5Nt5Rwsbj4ziJ7693/V46vl77uAmCmb"
    "v1P8AWsMSysQc458DKkYgYGh6a725av8eBvuz2L+JjmndwEQOdb0bE3WSLAh+WkeC/AnxD"
    "VW3TXMkKj4lWY4ZXu+LUyw4P6z1s95VVfFx2DZp3X3lH/K890bMH0q46XK05HhpPiDRSvC"
    "2/7iDP1YJzzIx+r9kyVytbv2v2H96K89D8cPLx5NPx2YnvM/glea7CcrdA/FvCjvXaSzu2"
    "mB0r5owyhda0lLcQkVoP1tsdxhGkz04KAH12kokzr4rCPDfRGP8oA3EgUcehfFZkJMc3w9"
    "BAPosDrDIDjK5ko0QlpW26KzZLEdtUhxZVbGslvcdlK7FNd8VD3CVFZxqnYU2b6JntOavo"
    "OSoptbzLWmbT0UyNAWfa0SGJ5cb0PizWa7CnE05dFOAkuteGifCE/IZeBMgd9kaQqGl2tO"
    "uT3bvd7Bm4P73R45UGs9mEC9+lCw8q9tvZL0bUsdZad5etq3bj53a8ZIF6iofsaSPbO/bU"
    "Lh3jvZrIB3n5shnEehmHwheonbvWPC3ir7FWmf6EqIt5bNCyFgabsmV944RgDf235ulpIc"
    "RPcxA/jSM+Zg9WysZ7IkI1RHojQZ8RNpIYD9GPjCXZbV4duo3GFmzl9u/D/JyZbyp3+73P"
    "XvN4Ii0KNHxmy7ep2GaplToqtRLsO+ajxFaPo5NPRZYP1ix7/RCVUbRNQ89YO9rEniVM26"
    "iX6MpuapAndkfWta25DLISkDfuhvdX7d7wHLjyD6TTuxsO7i+H/cE5wBx2W6WcRdW6uun0"
    "zgHUZlhkRbYfpMOWwtllzylaujCYAiDJsAnDcjENjZjgptYhT2nVrkQX/X43shJddOJLzf"
    "3NRZthL6BnjbDjnnhGY2j9selUQXNDTbFgMi3wqFB1XvXRTlviMtT8tkPN9lxbUetRSan1"
    "XdF6SkTSfftYgkE3JpismmEIC8vg8+6oujT/JbSrelyTFCLihSt7/dsA6YLwnh1FDTNb9m"
    "zKZ0VSY0umbkDtlSDdi07qCpFq2KaFXgnRpeikrhAhwnwzfYa4zKtgavsd1QmqTSYcLnRj"
    "1EhJOIjyg7yEwwxpGCojr91W0g7WFDZPz8oEXgKJ2sXI10Vpyk5IWPi/aX59zgEqT6JOid"
    "tKTlFJX7S+XskajsZuywLbTd+k2i3TBSstS+/DmJOnD9pscsv81jAWxGEEhJYB1uhbw9uy"
    "LQqpbTn3esikflVJ/e2bLNtetDfMwx5j1nnZFHNIpoYgbySXL43BLRiDGlJ1yI9Zlj38nR"
    "CsQaq/gkHOnkj5BQRl4Y7L1TDDvwm4n9hPKwOz175+8K4/M++ae6noLidPBNLV0SfmpqEi"
    "y+KglcO8cTvoX7bv7jq9z+cg6OWBDNqtq3+f82v4tBf+16/ty2H7ihf8B6ns5R/IdavT5S"
    "VjiN3LA7evOfa6luO9FZ0XgUQNZ8ZRUb5cLmEuwZhbYI2W4VD47VcyZ3YN4jUTKKYIT6Yp"
    "AatMNAMBCWcSzjmcpGWQMtH020swU2xo2xThMMVC7ElpobNr3YAZyKYJx0Aec+n9gzkHw6"
    "v+/UW3DW4H7cvOXce9eMaPlopKEVDyaWpsn+1mop5jhyzD/HVGyI4BHt3WitBls7myCaLs"
    "FFoKndqzEUk9Q5LLxUzIVsjH9Ev2l5BJKZrN0zLZ2XTMkIgkY8oE2FtNgEkyZp21XoSM6T"
    "rrq91EFpOVVMzdUXRyfvMsZOo9ANl2YEikfvbf+hNhIgFc7qqFsEidsjSbumvBz7HH/Ed5"
    "2ULksoXwsIrctjBgy8igczlsJJaGNYDqURj3a1UoimloMcyAtAh7SDWekVkVN3lPkI6eDm"
    "EWhfHaUwBd0UmNENokvcodTin0qmCgZdOr1KDNZulVoVhU+AZcwbAK1ZlYRYoqmO2xqoD0"
    "zgC2SUKUYsp+UqxQZWNnYpgvTnlwFFgEJSSfawt8LkdNJaxYX6CORKNCqblmTmaumUzMWb"
    "o9KQOw1752BP/mSSF0T3LQPUmia49KD+GwTO14RMeFxvBxzhg+TvmWROjNEkBnX8sSE6sB"
    "1lVfzxJ6TYUynFdE35eVKiitAt9mKbHChGWqIxw5ferVrDOFPkuY81XC5EcJKZyU+m6K17"
    "76b6Y0/jG2ifMRspGNdcoM2UP+vH9uYcxv5EsqOnpGGRdCLefa+cLVjXyolx31jYv2506v"
    "1x6cgxGaYMLeid9TNGwPbtpXndawzW8qosgUx0Qp4ncVfW31Ljm3DmrP/HdrrKzbZX+6z9"
    "46z06HZGIzp7TMQhWWqU5dzoUCe0dKCHvDCYyzyUxRqU3FpRMo701+nH94iajl9teQTIUm"
    "zf3dVUVGfBETPtuAT5jvHgNpholNS1Hx0kTlEN57brpmwnHpi/2uBq3r4TkQsg/k9v6i27"
    "n7wndEP4TItkQ2BjtfxTZpqlP8vCskdJEpUPCM7XVlL7tMEa1f/nZTN146CQg3RFx82YmL"
    "SVpZfM1JxN+Lg5smKtd0SdurOYFL0vbeotYL0fbkB0TfBmvPNeXKJJLDIvI4UnKfDJL45X"
    "BNyEnC3nLCXpQxIVl7eQyzxAArQN0Tk30d0NbsQqo4tuFF8RX0PQonimks1kLgG8JJjQbz"
    "Fkl8ewmRvII1F6rNEx759MvkPLpzcxntUaFuu2XUx0afIMAWDjBHJnjnCB8AJv3+HCymkA"
    "I6ReDxkRU8PoIx1ilrZlvIOgALTKcAEiAUdBgPTa6z3xQS5rcQvZP/1O8xVqZkPlbKfISl"
    "aHlu88pC9JVFfgux8nJIeUlOnjubS7pZIRnpCix3BYKl5JW2au3uZk8aq6GhtUtfS3VNsp"
    "RtMzDWsvdMPWiz2aMCwUibGxYWXUqSviTp14qkLwnO22LXLr2hcjmBYi23Va6mBo9XXYZG"
    "wYFh6xOTfCBfO1ft/jl4xhoyHsh1p9s+544FinsmW2C7jQwthZOV8w1Wt72cBKUngVB/WV"
    "pKREgSUooSUnwbpriZEhaRrknelXS7zS/cX7IPtpS5iZ4xWqREN5d8lzYkKC9CK3ERmiQA"
    "ZQ/v/aSCSALQW9R6EQIQtCxEywUswyKSF5KyfMogsAwC71UQOLEgrAHXuhNBwqvgK4ggc9"
    "Pgq/laKA63ob5qMpg3mr8PMR5SMhFRPkR2NgJF2xXK4M+d9LkJINGAl21HZGyYKtLA6EWk"
    "23lQfAQt9AtQ+VTTdQYgeEJobolq01ikp/HX2XlqLt926XPuGhxP5ofzJvJqo21kTfbvVB"
    "6bMfjZe5XC8eTW5bDztX0OHOkHctm/ue22xYdhVGM25yuyxkr56fWu+DiMO9Z35WiexeaJ"
    "unLwP5CuMPA8NlFpNV0P2jy4zyQfyG2rw49NQsxPTF7ddHr8VoEZJjsQ9ve2YoUtoCoqda"
    "4sTVTG8tIP7q0UYoiJyhjDrsQYikSW/LV4lYhiTFbeDb47wSQZQ6z//C4SQ5QBr03sltzL"
    "KodpSEIiujyE6Lmx8jBZXpwrNKiWBw9lVLYSam7ikhEZRdxeFDGGWianOYzrMm5zRKHFQ4"
    "pBKFLE/py+smN/2eHDVTpKDRVGg6MucVue/tlmcND3qFIWizxCTURO8mnK8Gmk//tG/F+P"
    "L5n9hdqlVMuc79PKEGJDhxZlCCGywlSKy8ogww7PrZxz7uWc4oScdI3T5pVjdpZCNiIjUV"
    "0ecIgaw6/0kGt5XcNBzEtOTN7lIYjgcOgrAa7dtSFxcCPzd5dOB7eQidVpI8WTdmsO8jxo"
    "GLTZ5Olg6bRW6bTyjx2mHl3KOSUWiNTxLPDpaZEzYqen2UfEeF3UCuCTqgTCbvMaovuh0E"
    "nrDzknrT8kT1q7h3WTCGd/6CUkUv23Xrbj86/tqy4JQ6zKzezn/wHiZucF"
)
