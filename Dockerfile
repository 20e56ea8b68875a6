# The Pacer gateway in a container: docker build -t pacer-gateway .   (docs/DEPLOY.md, "Container")
#
# Settings come from the environment (docs/GATEWAY.md lists them all); the SQLite database lives on the volume /data.
# The image is not built on the project's own machines (they have no Docker engine); it follows the ASP.NET Core
# images' own pattern: build with the SDK image, run on the ASP.NET runtime image as its non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY eng/ eng/
COPY src/ src/
RUN dotnet publish src/Pacer.Gateway -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./

# Listen on every interface inside the container (the gateway's own default is loopback only); keep the database on
# the volume. ASPNETCORE_HTTP_PORTS of the base image is cleared: PACER_GATEWAY_URLS says where to listen.
ENV PACER_GATEWAY_URLS=http://+:8080 \
    PACER_DB_PATH=/data/pacer.db \
    ASPNETCORE_HTTP_PORTS=
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
EXPOSE 8080

# The non-root user that the ASP.NET images provide.
USER $APP_UID

# The runtime image has no curl: bash asks /healthz over its own /dev/tcp.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["dotnet", "Pacer.Gateway.dll"]
