from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "course" ADD "description_text" TEXT NOT NULL DEFAULT '';
        UPDATE "course" SET "description_text" = "description";"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "course" DROP COLUMN "description_text";"""


MODELS_STATE = (
    "eJztXW1v2zgS/iuCP7VArui6SbbwHQ5wHGXrW8cOHCW32KZQaYm2icqUV6KcBnv970dSki"
    "VRL5YcW7ZVfkpMciTqGb7MPDOU/m4tbBNa7rvuEmn2N4hbHeXvFgYLSP9J1Z0pLbBcRjWs"
    "gICJxRuDJdLJutnEJQ4wCK2YAsuFtMiEruGgJUE2uwn2LIsV2gZtiPAsKvIw+suD9FIzSO"
    "bQoRWfv9BihE34Hbrhz+U3fYqgZSb6i0x2b16uk5clL+tjcsMbsrtNdMO2vAWOGi9fyNzG"
    "69YIE1Y6gxg6gEB2eeJ4rPusd8Gjhk/k9zRq4ncxJmPCKfAsEnvciR6VtXR9ONL0e1XT9V"
    "YFgAwbM3BpV13+9DPWhX+0fzn/9fzjh8vzj7QJ7+a65Ncf/q0jYHxBDs9Qa/3g9YAAvwXH"
    "OAKV/03B2psDJxvXsL2ALO2yiGyIYxG0YUGEbTSe6gB3Ab7rFsQzMqc/f3n/vgDKx+6496"
    "k7fkNbvWW3tOkE8KfGMKhq+3UM7whfPmf0OXDnVVBOSu0G68MO4wTSl+clgL48z8WZVSVh"
    "Xjpwir5XgTiSaOJQviwzki/zB/KlCLDhQAaGDkga5GtaQ9ACZgOdlBTANgPRd+E/pwg9fU"
    "BzhK2XYE4VQK/1b9V7rXt7x263cN2/LI5fV1NZTZuXvgilb0Q1rS+i/LevfVLYT+XP0VDl"
    "8NoumTn8jlE77c8W6xPwiK1j+1kHZmz6h6UhagmtW8AluudupXdRdgeaD7p8LIo/EUWHmB"
    "Rq2oEruudso+ekpNTyMWuZTkdHr2RHxyQ2G9OnsFjvwJ5mHsr0W6Y5zeBKo3tjOxDN8O/w"
    "hYPcpz0C2MiyowOf7CG4zImB+yMcPWFpNJsd8Lx26eKDij47fWJIfGute9/rXqstjvAEGN"
    "+egWPqCahZjd22hZJ123TVor0QSwAGMw4OewrW5zjqGR5yqI187zhUu3SMT2oinxU4xnAB"
    "kFXFoVgLNM5da1+U8ddoq1x/gtcJHhtw3WebTtmqvnFKsIH+W/viohTiFwWIX4iIT+mN9a"
    "p8T0KogUjvhfSZIDuNsQa/5yzJQfP60G21DmArq39oCTM5RPDNbfePtwlTeTAa/hY2jyHe"
    "G4yuBKDBii7fju45lVbqpNRWsB+ZjyKsHu/PP5ZZPmiz/PWDVybRdmwrZ+1QsbdImbZJLz"
    "GQ3dcgT+2O9NKeCX27pgLkrXvt4Vodah0lkH/C/eG9Nn7oaaNxR0EMds8gtvOEu9e3/WFH"
    "AeYC8ajI4Uk65OrU+ESrDC1d2VQBAOfYhHE5QUMTKrivdShUWr0r0dVoNEisRFd9cal5uL"
    "1SKfYcetoI+e5JaDTG1h+PzHW4tI0MCybXAk8K1edVvz9qS1xSzT831ewtzS21npSUWj8W"
    "rWcwkkHvhQCDZc8Q3jbCEBeW5PPxqNqf4SmqNJ/Zi+2qYa6Jm2HHBLI3v4+hBTicacVnZL"
    "ac2JTPY1KTG6XtOS58JUg9fpGmQgQxdTysBWQyr4JJXV+oSVDtk00PBlYGnx4NuXxG3Yja"
    "7JNT/0zdREA8fu+lN7GQO/ctCdouUecgA+oGH0dCVTTEKMAeTokSROgjCYUGHTwz23nxyy"
    "Ovkjscfqsvku+vk+/31ZTCtSBHKxRoICvaLsWKtgtY0XaaFXUtb1YF4LB98+Ip56XQPS9A"
    "9zyNrjepPITjMg1gn5Mofyg1hj8UjOEP6TEc71kK6HyGXxBrANZ1M/2xbuqE4rwl+mtZqY"
    "LKKljbLBVWmLhMfdS/f02rnnXmoswyc5G/ylykc8bBLMNb+c/9aJhjiQTtRfoDGUT5n0Jt"
    "2r35LK1/TT1sMPyUiYcsQg3Zd+x+/z7AmGf4FI95cXifJTkOdgFxzFtwBXNii5tjXmvh+k"
    "Y+sKqO+taV+lt/OFTHHWUCZwjTPrGQl6aOb9XrfldTWdCLQGcBTUQ7y8Jej91hT71mka8V"
    "e26Tlg0G9Gdw74OHwSyAZx51SqssVHGZ+tTlc1P7X6PKhIPzY8GpQHDcG05hnOuJClL7Cn"
    "ylUD6ZuJfnOBAb1fbXmEyNJs3D/XVNRnwZEz7fgE+Z757DeT59gbBHsqjT3NGbJSqHsOiE"
    "rgmubfbLGN1W2wpsOmBaOUfkety90ToKl33Cdw9Xg/79J7YjrilEuiXSMdh/5NukY8zRCp"
    "rHsTka9oolXy/oXlc1bypDVCZPlU2esqDrUqR8irj8siOKyXQRcc1J8e/lwc0SlWu6TMdp"
    "eGKGTMf5GbVeJh0nEQKtqHdRtpZknDqDOKer5/T0jiLO1Y6DpuTkodDNh0KT4X15NLToaG"
    "hqgCUOiI7pwB/3e1rRCdEEj6479vNOEqQ0MGsQ6hmeyStRGvCLNBUimUZWCNX+08jY9MvN"
    "JAvm5qZkMp0E7TYllLVGGCp04VCW0FHe+MJnCpV+21Ge54AoZA6Vr19pwdevyhRZhDbzXO"
    "ieKc+IzBWAFa6gdyLhs8vrZqS2fY4lzbFH/SLPjx8ynwxUSnYKmtdGfNbGp5XKdSpIdUpn"
    "OgWzudKoTchIm3WzzRotJa+0VxuXXy5arImhdUyvMwlMsoxtMzLW8vdMK2qz3wTsaKRRJx"
    "fxS8rUZ5n63KjUZ5k2eqicRRsTFt7hmGWO8M1hafEaNaohzFatEpxmwND1iUo+4cf+tTrq"
    "KCtkQvsJ3/QHaoc5FnCbUPSOc4gmtpmR6VLwkpSgvZwElScBV3/VYH9CSIb5y4b5getCUs"
    "03iYts5ZocG9A7DkCvzcLykMZFpLeXgemJJMKdblYKcvWlA1cIPmcQxhvexRMTrPFlPOuS"
    "k30bj8xUyR/ep5mzIDNVfkatl8lUkSTwrnYtSQIfmgSOH6yx2RzZSSz+LnathqC+10BzLD"
    "SfQZknA/f5tDlMtisVal76cV5HAdhUwrAwxFPbMaCpTF54XJixtxPgwn8qBptrlkUBVL5B"
    "uHR5tWM/Z8ebd3nxzKBz+O7zYLEQo85xgl++2eQQ9P7pHcqJXkZahfjs9rT+o9pRfOkn3B"
    "vd3g1UjR3BMezFki3IJi1lh1cHA17qj/VjOZnj0nlibM1SR9I1MqRTB1ZW081YZSw0lXzC"
    "d90+OzUFkPn61+nu/Iyrv33qdAE1YKVjJVmikiHJPrezleMmiErP7Vg8tzL++not3oanEW"
    "TlCz+Px0WXzEzz57dkZg61W8ovt8kvtx0Bz7Xxy23plUDSh7XRh8HLAiSLeDgWUUAtN/k2"
    "juumJNyEQstTihEVybk//1r53F8+fbjNhTKpwiQ5GmQYy2MqhyQH1x5VxmJRlKaQkJNZCl"
    "WyFKT/+5P4v2EWmu5C+pRmpXflZYhKClGcSvwDMC6EW388JiYrSYYjnlsFB7KrOcUpOeka"
    "Z80r3+yshGxCRqK6mXBIGsOv9JAb+V6BM8FLTk3ezRREdIrxlQA37v0WIriJ+XtMx1i70E"
    "HGvJXhSQc1Z0UeNIja7PMYq3Ra63RaV9BxMw+EFBxnikSaeGh1H9+LZ5OqAsJB8waiu5dv"
    "xAenStMI53/nISZS/6ceDuPz7+yjDilDrM7N7Mf/ASqm9B4="
)
