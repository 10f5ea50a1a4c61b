$ go run time-formatting.go
2024-03-14T15:09:26Z
3:09PM
Thu Mar 14 15:09:26 2024
2024-03-14
Thursday
2024-07-04 09:30:00 +0000 UTC <nil>
parsing time "8:41PM" as "2006-01-02T15:04:05Z07:00": cannot parse "8:41PM" as "2006"
1h30m0s 1.5
