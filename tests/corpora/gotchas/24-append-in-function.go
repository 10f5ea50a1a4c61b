package main

import "fmt"

func add(s []int, v int) {
	s = append(s, v)
}

func set(s []int, v int) {
	s[0] = v
}

func main() {
	s := make([]int, 1, 4)
	add(s, 42)
	fmt.Println(s, len(s)) //prints: [0] 1
	fmt.Println(s[:2])     //prints: [0 42]

	set(s, 7)
	fmt.Println(s) //prints: [7]
}
