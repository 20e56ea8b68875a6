namespace Pacer.Gateway.Proxy;

/// <summary>How a proxied request ended, as the request log line (<c>outcome=</c>) and the dashboard's tally name it.</summary>
internal enum ProxyOutcome
{
    /// <summary>The upstream's answer reached the caller whole: <c>ok</c>.</summary>
    Ok,

    /// <summary>The gateway refused the request before sending it; named by its error type (<c>invalid_request_error</c>, <c>billing_error</c>...).</summary>
    Refused,

    /// <summary>The limiter could not admit the request in time: <c>rejected_</c> and the reason.</summary>
    Rejected,

    /// <summary>The caller went away: <c>client_gone</c>.</summary>
    ClientGone,

    /// <summary>The upstream did not answer in time: <c>upstream_timeout</c>.</summary>
    UpstreamTimeout,

    /// <summary>The caller's deadline came before an answer could: <c>deadline</c> (504 <c>timeout_error</c>).</summary>
    Deadline,

    /// <summary>The upstream could not be reached: <c>upstream_unreachable</c>.</summary>
    UpstreamUnreachable,

    /// <summary>The stream ended cleanly before <c>message_stop</c>: <c>stream_truncated</c>.</summary>
    StreamTruncated,

    /// <summary>The upstream connection broke during the body: <c>stream_cut</c>.</summary>
    StreamCut,

    /// <summary>The stream went silent past the idle limit: <c>stream_stalled</c>.</summary>
    StreamStalled,

    /// <summary>The shutdown allowance ended the stream: <c>stream_shuttingdown</c>.</summary>
    StreamShuttingDown,

    /// <summary>The gateway failed to handle the request: <c>gateway_error</c>.</summary>
    GatewayError,
}
