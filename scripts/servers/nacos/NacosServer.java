package kratos.servers.nacos;

import com.alibaba.nacos.core.code.ControllerMethodsCache;
import javax.annotation.PostConstruct;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.ServletComponentScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;

/**
 * Standalone Nacos server entry point, equivalent to Nacos' own main class (com.alibaba.nacos.Nacos in
 * nacos-console) plus the parts of its ConsoleConfig that the server modules rely on: registering the
 * controllers with ControllerMethodsCache (otherwise every API answers 501 "no such api"). With auth off, the console's security config lets every request through; the
 * WebSecurityCustomizer below does the same, since nacos-console itself is not part of this build.
 */
@SpringBootApplication(scanBasePackages = "com.alibaba.nacos")
@ServletComponentScan(basePackages = "com.alibaba.nacos")
@EnableScheduling
public class NacosServer {
  public static void main(String[] args) {
    SpringApplication.run(NacosServer.class, args);
  }

  @Autowired private ControllerMethodsCache methodsCache;

  @PostConstruct
  public void registerControllers() {
    methodsCache.initClassMethod("com.alibaba.nacos.core.controller");
    methodsCache.initClassMethod("com.alibaba.nacos.naming.controllers");
    methodsCache.initClassMethod("com.alibaba.nacos.config.server.controller");
  }

  @Bean
  public WebSecurityCustomizer kratosPermitAll() {
    return web -> web.ignoring().antMatchers("/**");
  }
}
