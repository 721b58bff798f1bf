from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "event_handled" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "handler" VARCHAR(150) NOT NULL,
    "event_id" UUID NOT NULL,
    "handled_at" TIMESTAMPTZ NOT NULL,
    "failed" BOOL NOT NULL,
    CONSTRAINT "uid_event_handl_handler_0d773f" UNIQUE ("handler", "event_id")
);
CREATE INDEX IF NOT EXISTS "idx_event_handl_handled_b94003" ON "event_handled" ("handled_at");
COMMENT ON TABLE "event_handled" IS 'A reaction that has run for an event: written in the transaction of its effect, so a';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "event_handled";"""


MODELS_STATE = (
    "eJztXWtz4jgW/SsqPvVUZbvS5NG9ma2tIoR0M0MgRUjv7HSmHGEL0MbIjC2Hzs72f19Jfj"
    "+xCRhw9Kk7kq5sztXjPo7kvxpzQ0O69f4LJJqOtM4zIrRxAf5qEDhH7D+p9UegAReLoJYX"
    "UDjWhQDiTZSZ0140HVvUhCrvdgJ1C7EiDVmqiRcUG4SLtICJWAP2F6AzSMEMWsC0CZgYJo"
    "AEiB4vwNLElCICMG+FAOuTWK6UMQGYWgBNJkilR8AyAORP1gyVPRqT6bYe8kD8PhkO+BmZ"
    "SAN0iVUE3rFH6AhaFBhERT8BCp+QJyyK3vM3tAn+00YKNaaIPc5k7/ntW8PBzuT1DphYa/"
    "zxB/sLEw19RxZvxf9cPCkTjHQtoi8sMBflCn1ZiLJLPO0Sei3acljGimro9pwE7RcvdGYQ"
    "XwA7Sp4igkxIEX8CNW2uOWLruqtpT5nObwiaOG8ZktHQBNo61z+Xdl4gKGsoSn8wUu46I0"
    "VpJMaGJxHSpFukGoSPK/aqlgBgyl/hb39vNk9OPjaPT84/nZ1+/Hj26fgTayveN1n18Yfz"
    "MgFaTlcCs+7nbn/EX8hgg9cZ2rzgh5CBFDpSQhkB+iHVRVXQnkEzXQEhkZgW2M+La8HDPE"
    "8NXkGgh2DaVaGIOfyu6IhM6Yz9+eHsOAfkr61h+0tr+I61+ikKdd+tajp1HPUAZX9WJGC+"
    "v+9epcMclonhbNtYe88lDxDtHHAFsifnAtiFYdGpKSoFRjFA3dVagTQJ6RUDg+I5yhu9nm"
    "QMWM0Vfe/9ZzMAV7qssAVeGxD9xX1uDt6j7k3nbtS6ueWPm1vWn7qArzXq8JqmKH2Jlb47"
    "j417vxPwr+7oC+B/gt8H/U5ciX670e8N/k7QpoZCjKUCtRBEXqkHY0TpE4jdHTq2WxgG27"
    "hIur4DoZiux0xqW/PHL6l2Al0OBr2ILi+7sQ2hf39z2WHLl1Aia4RpaJ/gW/TkKbRN8IIx"
    "VJ+W0NSURI3RNLLaJqvmzXm8BBI4Ffjx38l/lWu59YzpNMewC1cXsOt0Y1rUptOMOUPZMa"
    "yOChhWKltLpuhn8Pi4sMc6tmZiWXl8BNgCFqIpBt2Gn/BAuF3GWvK/DaeXsW29Z+2xxloZ"
    "poZMCwhZFfKOeVfexsIacGgtISYKuWn5QPh4s+dM8EjUWKwNmBlL1sIETGkvgC+MlvtU/7"
    "2yrENpBh6CGbhPBspO1bEZ80TgUMKk9trX0Z4+LmRPH+fY08cJe5qP4yS+v9wN+un4eu3j"
    "5h5mru3/AFvAEsvGAeCcAytHImIIeGi+u2n9Fge63Rtcxsc07+AyBjrfjIi7yRYFPiwjwX"
    "8F+Iaq2qa5lscTE63G5al2xamvzxO2+8oqPi67Ac27r7wnvu6B6NkDKaHoPXG4Wgs8Mp4Q"
    "aaR4W37dUZ6rBReYGf1es1WuVrZ+N+w/vBXnofnh9OPpp5PzU99n8EvyXIXVboH4t4Qd67"
    "WXdmwxO1bMGWUGrVkpbyEitRmsdzuMI0ifnxYA+vw0E2deFYV5YaIJ/l4G4kCijkP5vMhI"
    "jm+GoYF8HgdYZQYYXctGiUpK23RfbJYitqkOLarY1lp6j8tWYpvui4e4T4rONE7DmjbRM9"
    "tz1tFzVFJqeZ+1zKajmRoDzrSjQxKrjelDWKw3YE8nnLoowEl0rw0T4Sn5Fb0IkLvsjSBR"
    "0+xo1ye7d7s5MHB/eKPHKw1mswmXvksXHlTst7NfjJwkZbt1125ddRo/duMlC9RTPGRPG9"
    "nesad26Rgf1EQ+ysuXzSHWyzgUvkDt3LXmWRF/jbXK9CdEXcxjg5a1NNiULesbJwRr6L81"
    "z84KIX6Wg/hZHPEJe7BSNt4TEaoh0lsJ+oyxkcR4hL5nLMlu8+rQbTR2YCt3fhvl58x8U7"
    "k36H/2mscTaVGg4TNbvk3FNkut1FGptWDfMx8ltnocn34qsnywZtnrh6iMom0aesba0SH2"
    "PGHaRr1EV3ZbgzyxO7Kubc1lkJWAvHE3ur/q9EcXwJV/IN3+3Wh43x4NhhcAc9htlXIWVe"
    "vqptu/AFCbY5EV2X2QDlsKZ5c9p2gpl0EZkauQROkp7aA4lJH1x6YzBS0MNcWCybTAo0LV"
    "edXHe22Jy1Dz2w412wttTa1HJaXW90XrKRFJ9+1jCQbdmGKyboYhLCyDz/uj6tL8l9Cu6n"
    "FNUoiIl67s9a9DpAvCe3YUNcxsObApnxVJjS2ZugG1V4J0LzqpK0SqYZsWeiVEbdFJXSFC"
    "hPlm+hxxmVfB1PE7qhNU20w4XOrGuJGScBDlR3kJhznSMFTGXrudpB2sGWyenZcJvAQStY"
    "uRb4rSlJ2QsPB/0/z6nANUnkSdEreVnKKSvmh9vZIsX3QtS7VaC2w/fZNqt0wXrLQsvQ9j"
    "Tp4+aLPNLfNbw1gShxEQWgZYo28Nb8u2KKS25dyhIpP6VSX1d2+y7HrR3jIPe4JZ52VTzC"
    "GZGoK8lVy+NAZ3YAxqSNUhP2ZZ9vB3QrAGqf4KBjl7IuUXEJSFOy5Xwwz/NuB+Yj+tDMxe"
    "+/rBu/nMvGvupaK7mjwRSFdHn1iYhoosi4NWDvPG7XDQ7tzddfufL0DQywMZdlpX/77gVx"
    "5qL/yvXzrtUeeKF/wHqezlH8h1q9vjJcGNTrvXHHtdy/Heis6LQKKGM+O4KF8ulzCXYMwt"
    "sUbLcCj89muZM/sG8YYJFDOEp7OUgFUmmoGAhDMJ5wJO0zJImWj67SWYKTa0bYpwmGIh9q"
    "S00Nm1bsAMZNOEYyBPuPThwZyD4dXg/rLXAbfDTrt713UvnvGjpaJSBJR8mhrbZ3uZqOfY"
    "Iaswf50RsmeAR7e1InTZbK5sgig7g5ZCZ/Z8TFLPkORyMROy8lLLMoRMStF8kZbJzqZjhk"
    "QkGVMmwN5qAkySMeus9SJkTNdZX+8mspispGLuj6KT85tnIVPvAci2A0Mi9bP/Np8IEwng"
    "clcthEXqlKXZ1l0Lfo495j/KyxYily2Eh1XktoUhW0aG3faokVgaNgCqR2E8rFWhKKahxT"
    "AD0iLsIdV4RmZV3OQDQTp6OoRZFMZrTwH0RCc1Qmib9Cp3OKXQq4KBlk2vUoM226VXhWJR"
    "4RtwBcMqVGdiFSmqYLbHqgLSOwPYJglRiin7SbFClY2dqWG+OOXBUWARlJB8rh3wuRw1lb"
    "BifYE6Eo0KpeaaOZm5ZjIxZ+n2tAzAXvvaEfybp4XQPc1B9zSJrj0uPYTDMrXjEZ0UGsMn"
    "OWP4JOVbEqE3SwCdfS1LTKwGWFd9PUvoNRXKcF4TfV9WqqC0CnybpcQKE5apjnDk9KlXs8"
    "4U+gRkzhcgkx+ApHBa6rspXvvqv5nS+MfEJs5HyMY21ikzZN/z5/1zB2N+K19S0dEzyrgQ"
    "ajXXzheubuRDveyob1x2Pnf7/c7wAozRFBP2TvyeolFneNO56rZGHX5TEUWmOCZKEb+r6G"
    "ur3+bcOqg989+tsbJej/3pPnvnPDsdkqnNnNIyC1VYpjp1ORcKHBwpIewNJzDOJjNFpbYV"
    "l06gfDD5cf7hJaKW219DMhWaNPd3VxUZ8UVM+GwDPmG+ewykOSY2LUXFSxOVQ/jguemaCS"
    "elL/a7GrauRxdAyD6Q2/vLXvfuC98R/RAi2xLZGOx+Fdukqc7w876Q0EWmQMFztteVvewy"
    "RbR++dtt3XjpJCDcEHHxZScuJmll8TUnEX8vDm6aqFzTJW2v5gQuSdt7i1ovRNuTHxB9G6"
    "w915Qrk0gOi8jjSMl9Mkjil8M1IScJe6sJe1HGhGTt5THMEgOsAHVPTPZNQFuzC6ni2IYX"
    "xVfQ9yicKqax3AiBbwSnNRrMOyTxHSRE8grWXKi2T3jk0y+T8+jOzVW0R4W67VZRHxsDgg"
    "BbOMACmeCdI3wEmPRPF2A5gxTQGQKPj6zg8RFMsE5ZM9tC1hFYYjoDkAChoPfx0OQm+00h"
    "YX4L0Tv5T/0jxsqUzMdKmY+wFC3PbV5ZiL6yyG8hVl4OKS/JyXNnc0k3KyQjXYHVrkCwlL"
    "zSVq3d3exJYzU0tPbpa6muSZaybQbGWvaeqQdttntUIBhpC8PCoktJ0pck/VqR9CXBeVfs"
    "2pU3VK4mUGzktsr11ODxqsvQKDgwbH1ikg/ka/eqM7gAz1hDxgO57vY6F9yxQHHPZAdst7"
    "GhpXCycr7B6raXk6D0JBDqL0tLiQhJQkpRQopvwxQ3U8Ii0jXJu5Juv/mFh0v2wZayMNEz"
    "RsuU6OaK79KGBOVFaCUuQpMEoOzhfZhUEEkAeotaL0IAgpaFaLmAZVhE8kJSlk8ZBJZB4I"
    "MKAicWhA3gWnciSHgVfAURZGEafDXfCMXhNtRXTQbzVvP3IcZDSiYiyofIzkagaLtCGfyF"
    "kz43ASQa8LLtiEwMU0UaGL+IdDsPio+hhX4GKp9qus4ABE8ILSxRbRrL9DT+JjtPzeXbLn"
    "3OXYPjyfxw3kRebbSLrMnhncpjMwY/e69SOJ7cao+6XzsXwJF+IO3BzW2vIz4MoxrzBV+R"
    "NVbKT6/3xMdh3LG+L0fzLDZP1LWD/4F0hYHniYlKq+l62OHBfSb5QG5bXX5sEmJ+YvLqpt"
    "vntwrMMdmDsL+3FStsAVVRqXNlaaIylpd+cG+tEENMVMYY9iXGUCSy5K/F60QUY7LybvD9"
    "CSbJGGL953eRGKIMeG1jt+ReVjlMQxIS0dUhRM+NlYfJ8uJcoUG1Ongoo7KVUHMTl4zIKO"
    "Luoogx1DI5zWFcV3GbIwotHlIMQpEi9uf0lR37yw4frtNRaqgwGhx1idvy9M8ug4O+R5Wy"
    "WOQRaiJykk9Thk8j/d834v96fMnsL9SupFrmfJ9WhhAbOrQoQwiRNaZSXFYGGfZ4buWccy"
    "/nFCfkpGucNq8cs7MUshEZierqgEPUGH6lh1zL6xqOYl5yYvKuDkEEh0NfCXDtrg2JgxuZ"
    "v/t0OriFTKzOGimetFtzlOdBw6DNNk8HS6e1SqeVf+ww9ehSzimxQKSOZ4HPzoqcETs7yz"
    "4ixuuiVgCfVCUQdpvXEN0PhU5af8g5af0hedLaPaybRDj7Qy8hkeq/9bIbn39jX3VJGGJV"
    "bmY//g+Z+loH"
)
