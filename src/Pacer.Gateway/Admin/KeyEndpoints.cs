using System.Text.Json;
using Pacer.Gateway.Proxy;
using Pacer.Gateway.Storage;

namespace Pacer.Gateway.Admin;

/// <summary>Managed keys: create (the secret is shown once), list (never with secrets), revoke.</summary>
internal static class KeyEndpoints
{
    public const int MaxTextLength = 200;

    private const string CreateShape = """{"user":"alice","name":"laptop"}""";

    public static void MapKeys(this RouteGroupBuilder admin)
    {
        admin.MapPost("/keys", CreateAsync);
        admin.MapGet("/keys", List);
        admin.MapDelete("/keys/{id}", Revoke);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, KeyStore keys, TimeProvider time)
    {
        var (document, error) = await AdminJsonBody.ReadAsync(request, CreateShape).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (AdminJsonBody.RefuseUnknown(root, CreateShape, "user", "name") is { } unknown)
            {
                return unknown;
            }

            if (Text(root, "user", required: true, out var user) is { } badUser)
            {
                return badUser;
            }

            if (Text(root, "name", required: false, out var name) is { } badName)
            {
                return badName;
            }

            var (key, secret) = keys.Create(user!, name ?? string.Empty, time.GetUtcNow());
            return Results.Json(new { success = true, key = View(key), secret, message = "Store this secret now: it is shown only once." }, statusCode: StatusCodes.Status201Created);
        }
    }

    private static IResult List(KeyStore keys) =>
        Results.Json(new { success = true, keys = keys.List().Select(View).ToList() });

    private static IResult Revoke(string id, KeyStore keys, TimeProvider time) =>
        keys.Revoke(id, time.GetUtcNow()) is { } key
            ? Results.Json(new { success = true, key = View(key) })
            : new AnthropicError(StatusCodes.Status404NotFound, "not_found_error", $"No managed key has the id '{Truncate(id)}'; GET {AdminEndpoints.Prefix}/keys lists them.") { Admin = true };

    private static object View(ManagedKey key) => new
    {
        id = key.Id,
        user = key.User,
        name = key.Name,
        prefix = key.Prefix,
        createdAt = RateLimitStatus.IsoTime(key.CreatedAt),
        revokedAt = key.RevokedAt is { } revoked ? RateLimitStatus.IsoTime(revoked) : null,
        active = key.RevokedAt is null,
    };

    private static AnthropicError? Text(JsonElement root, string field, bool required, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? AdminJsonBody.Invalid($"'{field}' is required; expected {CreateShape}") : null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return AdminJsonBody.Invalid($"'{field}' must be a string");
        }

        var text = element.GetString()!.Trim();
        if (text.Length == 0 && required)
        {
            return AdminJsonBody.Invalid($"'{field}' must not be empty");
        }

        if (text.Length > MaxTextLength || text.Any(char.IsControl))
        {
            return AdminJsonBody.Invalid($"'{field}' must be at most {MaxTextLength} characters without control characters");
        }

        value = text;
        return null;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
