package main

import "fmt"

func main() {
	src := []int{1, 2, 3}

	var dst []int
	n := copy(dst, src)
	fmt.Println(n, dst) //prints: 0 []

	dst = make([]int, 2)
	n = copy(dst, src)
	fmt.Println(n, dst) //prints: 2 [1 2]

	dst = make([]int, 0, 3)
	fmt.Println(copy(dst, src), dst) //prints: 0 []
}
