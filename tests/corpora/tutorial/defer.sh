$ go run defer.go
start
x is 20
end
x was 10
deferred 2
deferred 1
deferred 0
