using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pacer.Redis.Tests;

/// <summary>
/// An upstream that answers <c>POST /v1/messages</c> like the Anthropic API after holding each request for
/// <see cref="Hold"/>, and counts how many it held at once: the concurrency the gateways let through.
/// </summary>
public sealed class SlowUpstream : IAsyncDisposable
{
    private const string Answer = """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}""";
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _inFlight;
    private int _maxInFlight;
    private int _served;

    public SlowUpstream()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>Gets or sets how long each request is held.</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromMilliseconds(300);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Served => Volatile.Read(ref _served);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        var holding = true;
        try
        {
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                await reader.ReadToEndAsync();
            }

            try
            {
                await Task.Delay(Hold, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            // The request is counted as served and no longer held before its answer is written: a client reads the
            // counters as soon as its answer arrives, and the gateway sends its next request just as soon.
            Interlocked.Decrement(ref _inFlight);
            holding = false;
            Interlocked.Increment(ref _served);
            var body = Encoding.UTF8.GetBytes(Answer);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
        }
        finally
        {
            if (holding)
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
