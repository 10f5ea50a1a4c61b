$ go run structured-logging.go
time=2024-03-14T10:22:40.512-07:00 level=INFO msg="hi there"
time=2024-03-14T10:22:40.512-07:00 level=INFO msg="hello again" key=val age=25
time=2024-03-14T10:22:40.513-07:00 level=WARN msg="slow request" request=42 ms=512
