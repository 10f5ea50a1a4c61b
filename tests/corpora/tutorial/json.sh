$ go run json.go
true
{"apple":5,"lettuce":7}
{"page":1,"fruits":["apple","peach"]}
1 apple
map[num:6.13 strs:[a b]]
{
  "a": 1,
  "b": 2
}
