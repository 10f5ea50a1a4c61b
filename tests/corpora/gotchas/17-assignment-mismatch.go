package main

import (
	"fmt"
	"strconv"
)

func main() {
	n := strconv.Atoi("42") //error: assignment mismatch: 1 variable but strconv.Atoi returns 2 values
	fmt.Println(n)
}
