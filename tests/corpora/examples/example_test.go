package shapes_test

import (
	"errors"
	"fmt"
	"os"

	"example.com/shapes"
)

func ExampleRect() {
	r := shapes.Rect{Width: 3, Height: 4}
	fmt.Println(r)
	fmt.Println(r.Area(), r.Perimeter())
	// Output:
	// Rect(3x4)
	// 12 14
}

func ExampleRect_Scale() {
	r := shapes.Rect{Width: 1.5, Height: 2}
	fmt.Println(r.Scale(2))
	// Output: Rect(3x4)
}

func ExampleCircle_Area() {
	c := shapes.Circle{Radius: 2}
	fmt.Printf("%.2f\n", c.Area())
	// Output: 12.57
}

func ExampleSquare() {
	s := shapes.Square(5)
	fmt.Println(s, s.Area())
	// Output: Rect(5x5) 25
}

func ExampleTotalArea() {
	total := shapes.TotalArea(shapes.Square(2), shapes.Rect{Width: 1, Height: 3})
	fmt.Println(total)
	// Output: 7
}

func ExampleLargest() {
	all := []shapes.Shape{shapes.Square(3), shapes.Circle{Radius: 2}, shapes.Rect{Width: 1, Height: 10}}
	fmt.Println(shapes.Largest(all))
	fmt.Println(shapes.Largest(nil))
	// Output:
	// Circle(r=2)
	// <nil>
}

func ExampleSortByArea() {
	all := []shapes.Shape{shapes.Square(3), shapes.Circle{Radius: 1}, shapes.Rect{Width: 1, Height: 2}}
	shapes.SortByArea(all)
	for _, s := range all {
		fmt.Println(s)
	}
	// Output:
	// Rect(1x2)
	// Circle(r=1)
	// Rect(3x3)
}

func ExampleParse() {
	for _, in := range []string{"rect 2 3", "circle 1", "square -1", "hexagon 4"} {
		s, err := shapes.Parse(in)
		if errors.Is(err, shapes.ErrNegative) {
			fmt.Println("negative!")
			continue
		}
		fmt.Println(s, err)
	}
	// Output:
	// Rect(2x3) <nil>
	// Circle(r=1) <nil>
	// negative!
	// <nil> shapes: cannot parse "hexagon 4"
}

// The counts are printed by ranging over a map, so the
// order of the lines is not fixed.
func ExampleCountByKind() {
	all := []shapes.Shape{shapes.Square(1), shapes.Circle{Radius: 1}, shapes.Rect{Width: 2, Height: 1}}
	for kind, n := range shapes.CountByKind(all) {
		fmt.Println(kind, n)
	}
	// Unordered output:
	// Rect 2
	// Circle 1
}

func ExampleShape() {
	var s shapes.Shape = shapes.Circle{Radius: 0.5}
	fmt.Printf("%T %.4f\n", s, s.Perimeter())
	// Output: shapes.Circle 3.1416
}

// Printing to standard error is not captured: only standard
// output is compared with the Output comment.
func ExampleRect_Perimeter() {
	r := shapes.Rect{Width: 10, Height: 0.5}
	fmt.Fprintln(os.Stderr, "debug: computing perimeter")
	fmt.Println(r.Perimeter())
	// Output: 21
}

// This example is compiled but not run, because it has no
// output comment: it writes a report to a file.
func ExampleCircle_String() {
	f, err := os.Create("circles.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	for r := 1.0; r <= 3; r++ {
		fmt.Fprintln(f, shapes.Circle{Radius: r})
	}
}
