$ go run number-parsing.go
1.234
123
456
789
135
99!
"hi\n"
strconv.Atoi: parsing "wat": invalid syntax
