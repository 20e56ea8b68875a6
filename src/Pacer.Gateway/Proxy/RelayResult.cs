using Pacer.Limiting;

namespace Pacer.Gateway.Proxy;

/// <summary>How a relayed body ended and the usage it reported.</summary>
internal sealed record RelayResult(StreamEnd End, TokenUsage? Usage);

/// <summary>How a relayed body ended.</summary>
internal enum StreamEnd
{
    /// <summary>The whole body reached the caller (a stream: up to <c>message_stop</c> or an upstream <c>error</c> event).</summary>
    Completed,

    /// <summary>The upstream ended the stream cleanly but before <c>message_stop</c>.</summary>
    Truncated,

    /// <summary>The upstream connection broke.</summary>
    Cut,

    /// <summary>No byte arrived within the idle limit.</summary>
    Stalled,

    /// <summary>The gateway's shutdown allowance ran out.</summary>
    ShuttingDown,

    /// <summary>The caller went away.</summary>
    ClientGone,
}
