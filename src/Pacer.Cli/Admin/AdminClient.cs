using System.Text.Json;

namespace Pacer.Cli.Admin;

/// <summary>Calls a gateway's admin API with <c>X-API-Key</c>; an answer that is not a success becomes an <see cref="AdminException"/> with the gateway's own message.</summary>
internal sealed class AdminClient(Uri gateway, string adminKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        var text = await GetTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new AdminException($"{gateway} answered {path} with something that is not JSON; is it a Pacer gateway?");
        }
    }

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-API-Key", adminKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException failure)
        {
            throw new AdminException($"Cannot reach the gateway at {gateway}: {failure.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new AdminException($"The gateway answered {(int)response.StatusCode}: {MessageOf(body)}");
            }

            return body;
        }
    }

    public void Dispose() => _http.Dispose();

    private static string MessageOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message)
                ? message.GetString() ?? body
                : body;
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] : body;
        }
    }
}
