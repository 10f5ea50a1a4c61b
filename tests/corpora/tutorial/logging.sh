$ go run logging.go
2024/03/14 10:21:07 starting up
2024/03/14 10:21:07.209814 with micro
2024/03/14 10:21:07 logging.go:17: with file/line
my:2024/03/14 10:21:07 from mylog
