$ echo "the cat and the hat. The end!" | go run word-count.go
the    3
cat    1
and    1
hat    1
end    1
total: 5 distinct words
