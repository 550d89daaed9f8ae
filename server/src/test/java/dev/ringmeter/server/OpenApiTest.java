package dev.ringmeter.server;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI description the server serves at /api/v1/openapi.yaml (docs/openapi.yaml) against a validator and
 * against the routes the running server registers: it must parse without a single message, describe every route,
 * and describe no route the server does not have.
 */
@Timeout(60)
class OpenApiTest {
    @TempDir
    static Path data;
    static TestServer server;
    static String served;

    @BeforeAll
    static void start() {
        server = TestServer.start(data);
        final TestServer.Reply reply = server.get("/api/v1/openapi.yaml");
        assertEquals(200, reply.status(), reply.body());
        served = reply.body();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldParseTheServedDescriptionWithoutAnyErrorOrWarning() {
        final SwaggerParseResult result = parse(served);
        assertEquals(List.of(), messages(result), "messages of the validator on docs/openapi.yaml");
        assertNotNull(result.getOpenAPI(), "a description");
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.0."), result.getOpenAPI().getOpenapi());
    }

    @Test
    void shouldReportACommaInAFlowMappingAsAnUnexpectedProperty() {
        final String yaml = "openapi: 3.0.3\n"
            + "info: {title: t, version: '1'}\n"
            + "paths: {}\n"
            + "components:\n"
            + "  schemas:\n"
            + "    Point:\n"
            + "      type: object\n"
            + "      properties:\n"
            + "        t: {type: integer, description: start of the step, epoch ms}\n";
        final List<String> messages = messages(parse(yaml));
        assertEquals(1, messages.size(), messages.toString());
        assertTrue(messages.get(0).contains("epoch ms") && messages.get(0).contains("unexpected"), messages.get(0));
    }

    @Test
    void shouldDescribeEveryRouteTheServerRegisters() {
        final Set<String> described = described(parse(served).getOpenAPI());
        final List<String> undescribed = new ArrayList<>();
        for (final String route : registered()) {
            if (!described.contains(route)) {
                undescribed.add(route);
            }
        }
        assertEquals(List.of(), undescribed, "routes the server registers that docs/openapi.yaml does not describe");
    }

    @Test
    void shouldDescribeOnlyRoutesTheServerRegisters() {
        final Set<String> registered = registered();
        final List<String> unregistered = new ArrayList<>();
        for (final String route : described(parse(served).getOpenAPI())) {
            if (!registered.contains(route)) {
                unregistered.add(route);
            }
        }
        assertEquals(List.of(), unregistered, "routes docs/openapi.yaml describes that the server does not register");
    }

    private static SwaggerParseResult parse(final String yaml) {
        final ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIParser().readContents(yaml, null, options);
    }

    private static List<String> messages(final SwaggerParseResult result) {
        return result.getMessages() == null ? List.of() : result.getMessages();
    }

    /** @return the routes the running server registers, as "METHOD path". */
    private static Set<String> registered() {
        final List<String> routes = server.server.routes();
        final Set<String> unique = new LinkedHashSet<>(routes);
        assertEquals(routes.size(), unique.size(), "a route registered twice: " + routes);
        assertTrue(unique.size() > 1, "the server registers its routes: " + routes);
        return unique;
    }

    /** @return the operations the description holds, as "METHOD path". */
    private static Set<String> described(final OpenAPI api) {
        assertNotNull(api, "a description");
        final Set<String> operations = new LinkedHashSet<>();
        for (final Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
            for (final PathItem.HttpMethod method : path.getValue().readOperationsMap().keySet()) {
                operations.add(method.name().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }
        return operations;
    }
}
