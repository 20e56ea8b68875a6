namespace Pacer.Http;

/// <summary>How Pacer paces a request: with token costs (Messages), with a request cost only (count_tokens), or as a plain request.</summary>
public enum PacerRequestKind
{
    /// <summary><c>POST /v1/messages</c>: reserves estimated input tokens and <c>max_tokens</c>.</summary>
    Messages,

    /// <summary><c>POST /v1/messages/count_tokens</c>: one request, no tokens.</summary>
    CountTokens,

    /// <summary>Any other method or path (<c>/v1/models</c>, files, batches): one request, no tokens.</summary>
    Other,
}
