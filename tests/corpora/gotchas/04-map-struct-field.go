package main

import "fmt"

type point struct{ x, y int }

func main() {
	m := map[string]point{"a": {1, 2}}

	m["a"].x = 10 //error: cannot assign to struct field m["a"].x in map

	fmt.Println(m)
}
