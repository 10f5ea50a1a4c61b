$ go run weekday.go
Today is Thursday
Days until Saturday: 2
