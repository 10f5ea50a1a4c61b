package main

import "fmt"

type item struct {
	name  string
	count int
}

func main() {
	items := []item{{"a", 1}, {"b", 2}}

	for _, it := range items {
		it.count *= 10 // modifies a copy
	}
	fmt.Println(items) //prints: [{a 1} {b 2}]

	for i := range items {
		items[i].count *= 10
	}
	fmt.Println(items) //prints: [{a 10} {b 20}]

	nums := []int{1, 2, 3}
	for i, n := range nums {
		if i == 0 {
			nums[2] = 30 // range over a slice sees updates
		}
		_ = n
	}
	arr := [3]int{1, 2, 3}
	last := 0
	for i, n := range arr { // range over an array copies it first
		if i == 0 {
			arr[2] = 30
		}
		last = n
	}
	fmt.Println(nums, arr, last) //prints: [1 2 30] [1 2 30] 3
}
