import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { UpdateOptionDto } from './dtos/update-option.dto';
import { OptionService } from './option.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiSummary } from '../openapi/api-docs.decorators';
import { OptionEntryDoc } from '../openapi/api-models';

/** `GET|PUT /api/option/` (root). */
@ApiTags('option')
@ApiAuth(Role.Root)
@Controller('api/option')
@Auth(Role.Root)
export class OptionController {
  constructor(@Inject(OptionService) private readonly options: OptionService) {}

  @ApiSummary('Every option as `{key, value}` strings', 'Sorted by key; secrets (SMTPToken, GitHubClientSecret, ...) are omitted.')
  @ApiEnvelope([OptionEntryDoc])
  @Get()
  list() {
    return ok(this.options.list());
  }

  @ApiSummary('Set one option', 'The value is checked against the option’s type and guards; every node sees it without restart.')
  @ApiEnvelope(undefined, 'Saved')
  @ApiErrors(400)
  @Put()
  async update(@Body() dto: UpdateOptionDto) {
    await this.options.update(dto.key, dto.value);
    return ok();
  }
}
