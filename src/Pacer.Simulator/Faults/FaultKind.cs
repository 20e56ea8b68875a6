namespace Pacer.Simulator.Faults;

/// <summary>What the simulator does to one request instead of (or while) answering it normally.</summary>
internal enum FaultKind
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>An error status with Anthropic's error body (429, 500, 503, 504, 529).</summary>
    Status,

    /// <summary>429 <c>rate_limit_error</c> with <c>error_code: enforced_spend_limit_reached</c> and no <c>retry-after</c>.</summary>
    SpendLimit,

    /// <summary>Close the connection before any response header.</summary>
    Reset,

    /// <summary>Accept the request and never answer (until the client gives up or the hang time passes).</summary>
    NoResponse,

    /// <summary>Answer normally after an extra delay before the first byte.</summary>
    Slow,

    /// <summary>End a stream cleanly after N events, without <c>message_stop</c>.</summary>
    Cut,

    /// <summary>Stop sending a stream after N events and keep the connection open.</summary>
    Stall,

    /// <summary>After N events send an event whose data is not valid JSON, then go on.</summary>
    Malformed,

    /// <summary>After N events send <c>event: error</c> (<c>overloaded_error</c>) and end the stream.</summary>
    ErrorEvent,
}
