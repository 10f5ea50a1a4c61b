package main

import "fmt"

type node struct {
	val  int
	next *node
}

func (n *node) Len() int {
	if n == nil {
		return 0
	}
	return 1 + n.next.Len()
}

func main() {
	var list *node
	fmt.Println(list.Len()) //prints: 0

	list = &node{1, &node{2, nil}}
	fmt.Println(list.Len()) //prints: 2

	var empty *node
	fmt.Println(empty.val) //panics: runtime error: invalid memory address or nil pointer dereference
}
