using System.Runtime.ExceptionServices;
using Anthropic;
using Anthropic.Models.Messages;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>
/// A tracked streaming call: enumerate it for the SDK's events; once the stream has ended (or the enumeration
/// was disposed) <see cref="Usage"/> holds its usage record, priced from the stream's <c>message_start</c> and
/// final <c>message_delta</c> usage. Enumerate it once.
/// </summary>
public sealed class TrackedMessageStream : IAsyncEnumerable<RawMessageStreamEvent>
{
    private readonly IAnthropicClient _client;
    private readonly MessageCreateParams _request;
    private readonly string _user;
    private readonly string _endpoint;

    internal TrackedMessageStream(IAnthropicClient client, MessageCreateParams request, string user, string endpoint)
    {
        _client = client;
        _request = request;
        _user = user;
        _endpoint = endpoint;
    }

    /// <summary>Gets the usage record, once the stream has ended; null before, or when the call failed before any record.</summary>
    public UsageRecord? Usage { get; private set; }

    /// <inheritdoc />
    public IAsyncEnumerator<RawMessageStreamEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new Enumerator(this, cancellationToken);

    /// <summary>Re-enters the tracked call on every step: ambient values set inside one step do not survive to the next.</summary>
    private sealed class Enumerator(TrackedMessageStream owner, CancellationToken cancellationToken) : IAsyncEnumerator<RawMessageStreamEvent>
    {
        private TrackedCall? _call;
        private IAsyncEnumerator<RawMessageStreamEvent>? _inner;

        public RawMessageStreamEvent Current => _inner is null ? throw new InvalidOperationException("Call MoveNextAsync first.") : _inner.Current;

        public async ValueTask<bool> MoveNextAsync()
        {
            _call ??= TrackedCall.Begin(owner._user, owner._endpoint);
            _call.Enter();
            try
            {
                _inner ??= owner._client.Messages.CreateStreaming(owner._request, cancellationToken).GetAsyncEnumerator(cancellationToken);
                if (await _inner.MoveNextAsync().ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (Exception e) when (TrackedAnthropicClient.Refusal(e) is { } refused)
            {
                ExceptionDispatchInfo.Throw(refused);
                throw;
            }

            owner.Usage = _call.Capture.Record;
            return false;
        }

        public async ValueTask DisposeAsync()
        {
            if (_call is null)
            {
                return;
            }

            _call.Enter();
            if (_inner is not null)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }

            owner.Usage ??= _call.Capture.Record;
            _call.Dispose();
        }
    }
}
