$ go run slices.go
uninit: [] true true
emp: [  ] len: 3 cap: 3
apd: [a b c d e f]
cpy: [a b c d e f]
sl1: [c d e]
sl2: [a b c d e]
sl3: [c d e f]
t == t2
