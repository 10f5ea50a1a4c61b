$ go run timers.go
Timer 1 fired
Timer 2 stopped
