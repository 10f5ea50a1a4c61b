$ go run methods.go
area:  50
perim: 30
area:  200
perim: 60
