$ printf 'alpha\nbeta\ngamma' | go run line-numbers.go
  1  alpha
  2  beta
  3  gamma
3 lines
