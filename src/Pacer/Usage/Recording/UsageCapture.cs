namespace Pacer.Usage;

/// <summary>
/// Catches the usage record of a request made inside a scope on the current async flow:
/// <c>using var capture = UsageCapture.Begin(); await client.SendAsync(...); capture.Record</c>.
/// <see cref="UsageRecorder"/> offers each record to the innermost capture of the flow that made the request.
/// </summary>
public sealed class UsageCapture : IDisposable
{
    private static readonly AsyncLocal<UsageCapture?> Current = new();
    private readonly UsageCapture? _outer;
    private UsageRecord? _record;

    private UsageCapture(UsageCapture? outer) => _outer = outer;

    /// <summary>Gets the record of the last request that ended inside the scope, if any.</summary>
    public UsageRecord? Record => Volatile.Read(ref _record);

    /// <summary>Starts a scope on the current async flow; dispose it to end the scope.</summary>
    public static UsageCapture Begin()
    {
        var capture = new UsageCapture(Current.Value);
        Current.Value = capture;
        return capture;
    }

    /// <summary>Ends the scope.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(Current.Value, this))
        {
            Current.Value = _outer;
        }
    }

    /// <summary>
    /// Makes this capture current again on the current async flow, for code that resumes a request on another flow: an
    /// enumerator of a streamed answer, say, re-enters its capture on every step.
    /// </summary>
    public void Activate() => Current.Value = this;

    internal static void Offer(UsageRecord record)
    {
        if (Current.Value is { } capture)
        {
            Volatile.Write(ref capture._record, record);
        }
    }
}
