namespace Pacer.Limiting;

/// <summary>Who asks for admission, for what, and until when.</summary>
public readonly struct AcquireRequest
{
    /// <summary>Initializes a request for admission.</summary>
    /// <param name="upstreamKey">An identifier of the upstream API key (a hash, never the key itself); budgets are kept per key.</param>
    /// <param name="model">The model named in the request body; budgets are pooled per model class.</param>
    /// <param name="user">The caller identity used for fair queuing; null or empty means anonymous.</param>
    /// <param name="cost">What the request reserves.</param>
    /// <param name="deadline">The moment after which admission is useless; null means only <c>MaxQueueWait</c> applies.</param>
    public AcquireRequest(string upstreamKey, string model, string? user, RequestCost cost, DateTimeOffset? deadline = null)
    {
        UpstreamKey = upstreamKey ?? string.Empty;
        Model = model ?? string.Empty;
        User = string.IsNullOrEmpty(user) ? AnonymousUser : user;
        Cost = cost;
        Deadline = deadline;
    }

    /// <summary>The user name given to requests that carry none.</summary>
    public const string AnonymousUser = "anonymous";

    /// <summary>Gets the upstream key identifier.</summary>
    public string UpstreamKey { get; }

    /// <summary>Gets the model.</summary>
    public string Model { get; }

    /// <summary>Gets the caller identity for fair queuing.</summary>
    public string User { get; }

    /// <summary>Gets the reservation.</summary>
    public RequestCost Cost { get; }

    /// <summary>Gets the deadline, if any.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Gets the class the request waits in.</summary>
    /// <value>The default value is <see cref="RequestPriority.Interactive"/>.</value>
    public RequestPriority Priority { get; init; }
}
