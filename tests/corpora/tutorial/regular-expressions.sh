$ go run regular-expressions.go
true
true
peach
idx: [0 5]
[peach ea]
[peach punch pinch]
[peach punch]
a <fruit>
a PEACH
