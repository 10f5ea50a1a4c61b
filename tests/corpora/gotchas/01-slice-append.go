package main

import "fmt"

func main() {
	a := make([]int, 3, 10)
	b := append(a, 4)
	c := append(a, 5) // reuses the same backing array as b

	fmt.Println(len(a), cap(a)) //prints: 3 10
	fmt.Println(b)              //prints: [0 0 0 5]
	fmt.Println(c)              //prints: [0 0 0 5]

	s := []int{1, 2, 3}
	t := s[:2]
	t = append(t, 99) // overwrites s[2]
	fmt.Println(s)    //prints: [1 2 99]

	u := s[:2:2] // full slice expression limits capacity
	u = append(u, 100)
	fmt.Println(s, u) //prints: [1 2 99] [1 2 100]
}
