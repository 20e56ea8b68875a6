namespace Pacer.Limiting;

/// <summary>
/// A doubly linked list threaded through its items' own link fields, so that adding and removing allocate nothing:
/// items from first to last in the order they were added, any of them removed in constant time. An item is in at most
/// one list of a kind at a time. <typeparamref name="TLinks"/> names the item's link fields; it is a struct so that each
/// list is compiled for its own item type and reaching a link is a plain field access. Not thread-safe.
/// </summary>
internal struct IntrusiveList<T, TLinks>
    where T : class
    where TLinks : struct, INodeLinks<T>
{
    /// <summary>Gets the item added first of those still listed, or null.</summary>
    public T? First { readonly get; private set; }

    /// <summary>Gets the item added last, or null.</summary>
    public T? Last { readonly get; private set; }

    /// <summary>Gets the number of items listed.</summary>
    public int Count { readonly get; private set; }

    /// <summary>Adds an item, last.</summary>
    public void AddLast(T item)
    {
        TLinks.SetPrevious(item, Last);
        TLinks.SetNext(item, null);
        if (Last is null)
        {
            First = item;
        }
        else
        {
            TLinks.SetNext(Last, item);
        }

        Last = item;
        Count++;
    }

    /// <summary>Removes an item that is in this list, and clears its links.</summary>
    public void Remove(T item)
    {
        var previous = TLinks.PreviousOf(item);
        var next = TLinks.NextOf(item);
        if (previous is null)
        {
            First = next;
        }
        else
        {
            TLinks.SetNext(previous, next);
        }

        if (next is null)
        {
            Last = previous;
        }
        else
        {
            TLinks.SetPrevious(next, previous);
        }

        TLinks.SetNext(item, null);
        TLinks.SetPrevious(item, null);
        Count--;
    }
}

/// <summary>Reaches the link fields by which items of type <typeparamref name="T"/> stand in an <see cref="IntrusiveList{T, TLinks}"/>.</summary>
internal interface INodeLinks<T>
    where T : class
{
    static abstract T? NextOf(T item);

    static abstract T? PreviousOf(T item);

    static abstract void SetNext(T item, T? next);

    static abstract void SetPrevious(T item, T? previous);
}
