package main

import (
	"fmt"
	"strconv"
)

func parse(s string) (int, error) {
	var n int
	var err error
	if s != "" {
		n, err := strconv.Atoi(s) //error
		fmt.Println("parsed", n)
	}
	return n, err
}

func main() {
	fmt.Println(parse("7"))
}
