// Go supports _methods_ defined on struct types, with
// either pointer or value receivers.
package main

import "fmt"

type rect struct {
	width, height int
}

func (r *rect) area() int {
	return r.width * r.height
}

func (r rect) perim() int {
	return 2*r.width + 2*r.height
}

func (r *rect) scale(f int) {
	r.width *= f
	r.height *= f
}

func main() {
	r := rect{width: 10, height: 5}
	fmt.Println("area: ", r.area())
	fmt.Println("perim:", r.perim())

	rp := &r
	rp.scale(2)
	fmt.Println("area: ", rp.area())
	fmt.Println("perim:", rp.perim())
}
