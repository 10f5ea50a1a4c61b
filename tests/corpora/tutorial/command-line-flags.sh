$ go run command-line-flags.go -word=opt -numb=7 -fork a1 a2
word: opt
numb: 7
fork: true
tail: [a1 a2]
$ go run command-line-flags.go -word=opt
word: opt
numb: 42
fork: false
tail: []
