$ go run tickers.go
tick 1
tick 2
tick 3
tick 4
Ticker stopped
