package main

import "fmt"

func main() {
	s := []int{1, 2, 3}
	i := 5
	fmt.Println(s[1:]) //prints: [2 3]
	fmt.Println(s[3:]) //prints: []
	fmt.Println(s[i])  //panics: runtime error: index out of range [5] with length 3
}
