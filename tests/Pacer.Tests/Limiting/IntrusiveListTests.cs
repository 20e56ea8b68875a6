using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class IntrusiveListTests
{
    [Fact]
    public void AddLast_ThreeItems_KeepsTheOrderOfAdding()
    {
        var (list, items) = ListOf(3);

        Walk(list).ShouldBe([items[0], items[1], items[2]]);
        list.Last.ShouldBeSameAs(items[2]);
        list.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData(0, new[] { 1, 2 })]
    [InlineData(1, new[] { 0, 2 })]
    [InlineData(2, new[] { 0, 1 })]
    public void Remove_AnyItem_LeavesTheOthersInOrderAndClearsItsLinks(int removed, int[] left)
    {
        var (list, items) = ListOf(3);

        list.Remove(items[removed]);

        Walk(list).ShouldBe(left.Select(i => items[i]).ToList());
        WalkBack(list).ShouldBe(left.Reverse().Select(i => items[i]).ToList());
        list.Count.ShouldBe(2);
        items[removed].Next.ShouldBeNull();
        items[removed].Previous.ShouldBeNull();
    }

    [Fact]
    public void Remove_EveryItem_LeavesAnEmptyListThatTakesItemsAgain()
    {
        var (list, items) = ListOf(2);

        list.Remove(items[1]);
        list.Remove(items[0]);
        list.First.ShouldBeNull();
        list.Last.ShouldBeNull();
        list.Count.ShouldBe(0);

        list.AddLast(items[1]);
        Walk(list).ShouldBe([items[1]]);
    }

    private static (IntrusiveList<Node, Node.Links> List, Node[] Items) ListOf(int count)
    {
        var list = default(IntrusiveList<Node, Node.Links>);
        var items = Enumerable.Range(0, count).Select(i => new Node(i)).ToArray();
        foreach (var item in items)
        {
            list.AddLast(item);
        }

        return (list, items);
    }

    private static List<Node> Walk(IntrusiveList<Node, Node.Links> list)
    {
        var walked = new List<Node>();
        for (var node = list.First; node is not null; node = node.Next)
        {
            walked.Add(node);
        }

        return walked;
    }

    private static List<Node> WalkBack(IntrusiveList<Node, Node.Links> list)
    {
        var walked = new List<Node>();
        for (var node = list.Last; node is not null; node = node.Previous)
        {
            walked.Add(node);
        }

        return walked;
    }

    private sealed class Node(int value)
    {
        public int Value { get; } = value;

        public Node? Next { get; private set; }

        public Node? Previous { get; private set; }

        public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public readonly struct Links : INodeLinks<Node>
        {
            public static Node? NextOf(Node item) => item.Next;

            public static Node? PreviousOf(Node item) => item.Previous;

            public static void SetNext(Node item, Node? next) => item.Next = next;

            public static void SetPrevious(Node item, Node? previous) => item.Previous = previous;
        }
    }
}
